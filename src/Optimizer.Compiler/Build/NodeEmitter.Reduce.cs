using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class NodeEmitter
{
    /// <summary>Reductions over one contiguous run of axes (e.g. LayerNorm's last axis).</summary>
    private static void EmitReduce(BuildContext ctx, OnnxNode node)
    {
        if (node.OpType == "ReduceMean" && TryEmitLayerNormChain(ctx, node))
        {
            return;
        }

        var x = Float(ctx, node.Inputs[0]);
        var rank = x.Shape.Length;
        var axesFromInput = node.OpType == "ReduceSum" ? ctx.Opset >= 13 : ctx.Opset >= 18;
        var axes = axesFromInput ? ShapeOps.OptionalAxes(ctx, node, 1) : node.Ints("axes");
        if (axes is null or { Length: 0 })
        {
            if (node.Int("noop_with_empty_axes", 0) != 0)
            {
                throw new UnsupportedException("noop_with_empty_axes");
            }

            axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        }

        var sorted = axes.Select(a => Attrs.NormalizeAxis(a, rank)).Distinct().Order().ToArray();
        var keep = node.Int("keepdims", 1) != 0;
        var shape = x.Shape.Select((d, i) => (Keep: !sorted.Contains(i) || keep, Dim: sorted.Contains(i) ? (Dim)1 : d)).Where(p => p.Keep).Select(p => p.Dim).ToArray();
        var y = Out(ctx, node.Outputs[0], shape);
        var op = node.OpType switch { "ReduceMean" => 0, "ReduceSum" => 1, "ReduceMax" => 2, _ => 3 };
        if (sorted[^1] - sorted[0] != sorted.Length - 1)
        {
            EmitReduceTransposed(ctx, x, sorted, op, y);
            return;
        }

        ctx.Emit(StepKind.Reduce, [ctx.Op(x), ctx.Op(y)], [op, x.Shape.Product(0, sorted[0]), x.Shape.Product(sorted[0], sorted[^1] + 1), x.Shape.Product(sorted[^1] + 1)], []);
    }
}

using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

// The transformer and mobile-net activations (Erf, Gelu, HardSwish, PRelu), LayerNormalization,
// and Clip whose bounds are computed at run time.
internal static partial class NodeEmitter
{
    private static void EmitActivation(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        var op = node.OpType switch
        {
            "Erf" => Kernels.ActivationOp.Erf,
            "Gelu" => node.Str("approximate", "none") switch
            {
                "none" => Kernels.ActivationOp.Gelu,
                "tanh" => Kernels.ActivationOp.GeluTanh,
                var a => throw new UnsupportedException($"Gelu approximate='{a}'"),
            },
            _ => Kernels.ActivationOp.HardSwish,
        };
        var y = Out(ctx, node.Outputs[0], x.Shape);
        ctx.Emit(StepKind.Activation, [ctx.Op(x), ctx.Op(y)], [(long)op, x.Count], [0f, 0f]);
    }

    private static void EmitPRelu(BuildContext ctx, OnnxNode node)
    {
        var (x, slope) = (Float(ctx, node.Inputs[0]), Float(ctx, node.Inputs[1]));
        var shape = ShapeOps.Broadcast(x.Shape, slope.Shape);
        var y = Out(ctx, node.Outputs[0], shape);
        ctx.Emit(StepKind.PRelu, [ctx.Op(x), ctx.Op(slope), ctx.Op(y)], BroadcastArgs(shape, x.Shape, slope.Shape), []);
    }

    /// <summary>Clip (opset ≥ 11) whose min or max is an input computed at run time: Max then Min, broadcasting.</summary>
    private static void EmitClipRuntimeBounds(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        var y = Out(ctx, node.Outputs[0], x.Shape);
        var source = x;
        foreach (var (input, op) in new[] { (1, BinaryOps["Max"]), (2, BinaryOps["Min"]) })
        {
            if (ctx.Optional(node, input) is { } bound)
            {
                EmitBroadcastBinary(ctx, op, source, Float(ctx, bound.Name), y);
                source = y;
            }
        }

        if (source == x)
        {
            ctx.Emit(StepKind.Copy, [ctx.Op(x), ctx.Op(y)], [x.Count], []);
        }
    }

    private static bool HasRuntimeBound(BuildContext ctx, OnnxNode node) =>
        ctx.Opset >= 11 && new[] { 1, 2 }.Any(i => ctx.Optional(node, i) is { IsConst: false });

    private static void EmitLayerNorm(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        var axis = Attrs.NormalizeAxis(node.Int("axis", -1), x.Shape.Length);
        var (rows, cols) = (x.Shape.Product(0, axis), x.Shape.Product(axis));
        var normalized = x.Shape[axis..].Constants("the normalized dims of LayerNormalization");
        var scale = LayerNormParameter(ctx, node, 1, normalized, cols.Constant("the normalized length")) ?? throw new UnsupportedException("LayerNormalization without a scale");
        var bias = LayerNormParameter(ctx, node, 2, normalized, cols.Value) ?? BuildContext.Empty;
        var y = Out(ctx, node.Outputs[0], x.Shape);
        // Mean and InvStdDev (optional outputs): one value per row, shaped x[:axis] + ones.
        var statisticsShape = x.Shape.Select((d, i) => i < axis ? d : 1).ToArray();
        var statistics = node.Outputs.Skip(1).Take(2).Select(o => o.Length > 0 ? ctx.Op(Out(ctx, o, statisticsShape)) : BuildContext.Empty).ToArray();
        ctx.Emit(StepKind.LayerNorm, [ctx.Op(x), scale, bias, ctx.Op(y), .. statistics, .. Enumerable.Repeat(BuildContext.Empty, 2 - statistics.Length)],
            [rows, cols], [node.Float("epsilon", 1e-5f)]);
    }

    /// <summary>Scale or bias as <paramref name="cols"/> floats: a constant broadcast to the normalized shape at compile time, or a full runtime tensor.</summary>
    private static RawOperand? LayerNormParameter(BuildContext ctx, OnnxNode node, int index, long[] normalized, long cols)
    {
        if (ctx.Optional(node, index) is not { } p)
        {
            return null;
        }

        if (p.Const is { } c)
        {
            var values = c.AsFloats();
            var strides = ShapeOps.BroadcastStrides(Dims.Of(c.Shape), ShapeOps.Broadcast(Dims.Of(normalized), Dims.Of(c.Shape))).Values();
            var outStrides = OpShapes.Strides(Dims.Of(normalized)).Values();
            return ctx.WeightOp($"layernorm:{node.Outputs[0]}:{index}", () => Enumerable.Range(0, (int)cols)
                .Select(i => values[(int)normalized.Select((d, k) => i / outStrides[k] % d * strides[k]).Sum()]).ToArray());
        }

        return Float(ctx, p.Name).Count == cols ? ctx.Op(p) : throw new UnsupportedException("a LayerNormalization parameter computed at run time that broadcasts");
    }
}

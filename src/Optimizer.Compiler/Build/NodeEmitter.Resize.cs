using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class NodeEmitter
{
    /// <summary>Resize (opset ≥ 11) of the last two axes with constant scales or sizes; the sampling tables are weights.</summary>
    private static void EmitResize(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        var rank = x.Shape.Length;
        if (ctx.Opset < 11 || rank < 2 || node.Int("antialias", 0) != 0 || node.FindAttribute("axes") is not null || node.Str("keep_aspect_ratio_policy", "stretch") != "stretch")
        {
            throw new UnsupportedException("Resize before opset 11, of rank < 2, with antialias, axes or a keep_aspect_ratio_policy");
        }

        var scales = ctx.Optional(node, 2)?.Const?.AsFloats() is { Length: > 0 } s ? s.Select(v => (double)v).ToArray() : null;
        var sizes = ctx.Optional(node, 3)?.Const?.Longs;
        if (scales is null && sizes is null)
        {
            throw new UnsupportedException("Resize needs constant scales or sizes");
        }

        var outShape = sizes ?? x.Shape.Select((d, i) => (long)Math.Floor(d * scales![i])).ToArray();
        scales ??= outShape.Select((d, i) => (double)d / x.Shape[i]).ToArray();
        if (Enumerable.Range(0, rank - 2).Any(i => outShape[i] != x.Shape[i]))
        {
            throw new UnsupportedException("Resize of an axis other than the last two");
        }

        var options = new ResizeTables.Options(node.Str("mode", "nearest"), node.Str("coordinate_transformation_mode", "half_pixel"),
            node.Str("nearest_mode", "round_prefer_floor"), node.Float("cubic_coeff_a", -0.75f), node.Int("exclude_outside", 0) != 0);
        var (inH, inW, outH, outW) = (x.Shape[^2], x.Shape[^1], outShape[^2], outShape[^1]);
        var rows = ResizeTables.Axis(inH, outH, scales[^2], options);
        var cols = ResizeTables.Axis(inW, outW, scales[^1], options);
        var key = $"resize:{node.Outputs[0]}";
        var y = Out(ctx, node.Outputs[0], outShape);
        ctx.Emit(StepKind.Resize,
            [ctx.Op(x), IntWeight(ctx, key + ":rows", rows.Index), ctx.WeightOp(key + ":row-weights", () => rows.Weight),
             IntWeight(ctx, key + ":cols", cols.Index), ctx.WeightOp(key + ":col-weights", () => cols.Weight), ctx.Op(y)],
            [x.Shape.Product(0, rank - 2), inH, inW, outH, outW, ResizeTables.Taps(options.Mode)], []);
    }

    private static RawOperand IntWeight(BuildContext ctx, string key, int[] values) =>
        ctx.WeightBytesOp(key, () => values.SelectMany(BitConverter.GetBytes).ToArray(), values.Length);
}

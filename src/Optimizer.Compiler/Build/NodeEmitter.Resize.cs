using Optimizer.Compiler.Shapes;
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
        var sizes = ctx.Optional(node, 3)?.Const is { Longs: not null } given ? given.IntegerValues("Resize sizes") : null;
        if (scales is null && sizes is null)
        {
            throw new UnsupportedException("Resize needs constant scales or sizes");
        }

        var options = new ResizeTables.Options(node.Str("mode", "nearest"), node.Str("coordinate_transformation_mode", "half_pixel"),
            node.Str("nearest_mode", "round_prefer_floor"), node.Float("cubic_coeff_a", -0.75f), node.Int("exclude_outside", 0) != 0);
        if (!(x.Shape[^2].IsConstant && x.Shape[^1].IsConstant) && scales is not null && sizes is null)
        {
            EmitSymbolicUpsample(ctx, node, x, scales, options);
            return;
        }

        // The leading axes (batch, channels) keep their size; the last two are interpolated with
        // tables computed here, for the input's sizes, which must therefore be constants.
        var leading = x.Shape[..^2];
        var (inH, inW) = (x.Shape[^2].Constant("a Resize input height"), x.Shape[^1].Constant("a Resize input width"));
        var (outH, outW) = sizes is not null ? (sizes[^2], sizes[^1]) : ((long)Math.Floor(inH * scales![^2]), (long)Math.Floor(inW * scales[^1]));
        if (scales is not null ? scales[..^2].Any(v => v != 1) : leading.Select((d, i) => d.Value != sizes![i]).Any(changed => changed))
        {
            throw new UnsupportedException("Resize of an axis other than the last two");
        }

        scales ??= [.. leading.Select(_ => 1.0), (double)outH / inH, (double)outW / inW];
        Dim[] outShape = [.. leading, outH, outW];
        var rows = ResizeTables.Axis(inH, outH, scales[^2], options);
        var cols = ResizeTables.Axis(inW, outW, scales[^1], options);
        if (options.Mode == "nearest" && ResizeTables.Repeat(rows.Index, inH) is { } repeatH && ResizeTables.Repeat(cols.Index, inW) is { } repeatW)
        {
            EmitUpsample(ctx, node.Outputs[0], x, repeatH, repeatW);
            return;
        }

        var key = $"resize:{node.Outputs[0]}";
        var y = Out(ctx, node.Outputs[0], outShape);
        ctx.Emit(StepKind.Resize,
            [ctx.Op(x), IntWeight(ctx, key + ":rows", rows.Index), ctx.WeightOp(key + ":row-weights", () => rows.Weight),
             IntWeight(ctx, key + ":cols", cols.Index), ctx.WeightOp(key + ":col-weights", () => cols.Weight), ctx.Op(y)],
            [x.Shape.Product(0, rank - 2), inH, inW, outH, outW, ResizeTables.Taps(options.Mode)], []);
    }

    /// <summary>
    /// Resize of inputs whose height or width depends on the symbolic dims (an FPN's upsampling):
    /// supported where every output pixel copies input pixel ⌊o / scale⌋ for whole-number scales
    /// (nearest with asymmetric/floor and the like, checked against the sampling tables), so the
    /// output is the input with each pixel repeated (<see cref="Kernels.Upsample"/>), sized by
    /// expressions of the symbols (out = in · scale), no tables.
    /// </summary>
    private static void EmitSymbolicUpsample(BuildContext ctx, OnnxNode node, Val x, double[] scales, ResizeTables.Options options)
    {
        var (sh, sw) = (scales[^2], scales[^1]);
        if (scales[..^2].Any(v => v != 1) || !IsRepeat(sh, options) || !IsRepeat(sw, options))
        {
            throw new UnsupportedException($"Resize of an input whose size depends on the symbolic dims ({x.Shape.Format()}) with scales [{string.Join(", ", scales)}] and mode {options.Mode}: " +
                                           "only whole-number scales that repeat pixels (nearest) are supported there");
        }

        EmitUpsample(ctx, node.Outputs[0], x, (long)sh, (long)sw);
    }

    /// <summary>y = x with each pixel of its last two axes repeated <paramref name="repeatH"/> × <paramref name="repeatW"/> times.</summary>
    private static void EmitUpsample(BuildContext ctx, string name, Val x, long repeatH, long repeatW)
    {
        var (h, w) = (x.Shape[^2], x.Shape[^1]);
        var y = Out(ctx, name, [.. x.Shape[..^2], h * repeatH, w * repeatW]);
        ctx.Emit(StepKind.Upsample, [ctx.Op(x), ctx.Op(y)], [x.Shape.Product(0, x.Shape.Length - 1), w, repeatH, repeatW], []);
    }

    /// <summary>Whether resizing by <paramref name="scale"/> maps output o to input ⌊o / scale⌋ (probed on the sampling tables at a small size).</summary>
    private static bool IsRepeat(double scale, ResizeTables.Options options)
    {
        if (scale < 1 || scale != Math.Floor(scale) || scale > 64 || options.Mode != "nearest")
        {
            return false;
        }

        const int probe = 5;
        var repeat = (int)scale;
        var (index, _) = ResizeTables.Axis(probe, probe * repeat, scale, options);
        return index.Select((i, o) => i == o / repeat).All(same => same);
    }

    private static RawOperand IntWeight(BuildContext ctx, string key, int[] values) =>
        ctx.WeightBytesOp(key, () => values.SelectMany(BitConverter.GetBytes).ToArray(), values.Length);
}

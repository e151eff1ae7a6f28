using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class NodeEmitter
{
    /// <summary>Spatial geometry of a 1-D or 2-D window operator, as 2-D (1-D gets H = 1).</summary>
    internal sealed record Window(Dim H, Dim W, Dim KH, Dim KW, Dim OH, Dim OW, Dim PadTop, Dim PadLeft, Dim PadBottom, Dim PadRight,
        Dim StrideH, Dim StrideW, Dim DilH, Dim DilW);

    internal static Window Geometry(OnnxNode node, Dim[] xShape, long[] kernel, bool ceil = false)
    {
        var spatial = xShape.Length - 2;
        if (spatial is < 1 or > 2 || kernel.Length != spatial)
        {
            throw new UnsupportedException($"{spatial}-D windows are not supported (1-D and 2-D are)");
        }

        var strides = node.Ints("strides") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var dilations = node.Ints("dilations") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var pads = Dims.Of(node.Ints("pads") ?? new long[2 * spatial]);
        var autoPad = node.Str("auto_pad", "NOTSET");
        var input = xShape[2..];
        var output = new Dim[spatial];
        for (var i = 0; i < spatial; i++)
        {
            var effective = (kernel[i] - 1) * dilations[i] + 1;
            switch (autoPad)
            {
                case "SAME_UPPER" or "SAME_LOWER":
                    output[i] = (input[i] + strides[i] - 1) / strides[i];
                    // SAME padding depends on the input length's remainder: with a symbolic length it is not one expression.
                    var total = Dim.Max(0, (output[i] - 1) * strides[i] + effective - input[i]).Constant("SAME padding of a symbolic length");
                    var head = autoPad == "SAME_UPPER" ? total / 2 : (total + 1) / 2;
                    pads[i] = head;
                    pads[i + spatial] = total - head;
                    break;
                case "VALID":
                    pads[i] = pads[i + spatial] = 0;
                    output[i] = (input[i] - effective) / strides[i] + 1;
                    break;
                case "NOTSET":
                    var span = input[i] + pads[i] + pads[i + spatial] - effective;
                    output[i] = (ceil ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
                    if (ceil && (output[i] - 1) * strides[i] >= input[i] + pads[i])
                    {
                        output[i] = (output[i] - 1).Value; // depends on the remainder: a constant, or the builds disagree and the model is refused
                    }

                    break;
                default:
                    throw new UnsupportedException($"auto_pad {autoPad}");
            }

            if (output[i] < 1)
            {
                throw new UnsupportedException("the window is larger than the padded input");
            }
        }

        return spatial == 1
            ? new Window(1, input[0], 1, kernel[0], 1, output[0], 0, pads[0], 0, pads[1], 1, strides[0], 1, dilations[0])
            : new Window(input[0], input[1], kernel[0], kernel[1], output[0], output[1], pads[0], pads[1], pads[2], pads[3], strides[0], strides[1], dilations[0], dilations[1]);
    }

    /// <summary>Whether <paramref name="d"/> is the constant <paramref name="value"/> (a symbolic dim is not).</summary>
    private static bool Is(Dim d, long value) => d.IsConstant && d.Value == value;

    private static Dim[] SpatialShape(Dim n, Dim c, Window g, int spatial) => spatial == 1 ? [n, c, g.OW] : [n, c, g.OH, g.OW];

    private static void EmitConv(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        var w = Float(ctx, node.Inputs[1]);
        var bias = ctx.Optional(node, 2);
        if (w.Const is null || bias is { IsConst: false })
        {
            throw new UnsupportedException("Conv weights and bias must be constants");
        }

        var group = node.Int("group", 1);
        var kernel = node.Ints("kernel_shape") ?? w.Shape[2..].Constants("Conv's kernel shape");
        var g = Geometry(node, x.Shape, kernel);
        var (n, c, m) = (x.Shape[0], x.Shape[1], w.Shape[0]);
        if (c % group != 0 || m % group != 0 || w.Shape[1] != c / group)
        {
            throw new UnsupportedException("Conv channels do not divide into the groups");
        }

        if (TryEmitFramedConv(ctx, node, x, w, bias, group, g))
        {
            return;
        }

        var shape = SpatialShape(n, m, g, x.Shape.Length - 2);
        var epilogue = ConvEpilogue(ctx, node.Outputs[0], shape);
        if (TryEmitDenseConv(ctx, node, x, w, bias, group, g, epilogue, shape))
        {
            return;
        }

        var (weights, biasOp) = ConvParameters(ctx, node, w, bias, epilogue.Pre);
        var y = Out(ctx, epilogue.Output, shape);
        var scratch = ctx.Scratch(n * KernelSizes.ConvScratchLength(c, group, g));
        ctx.Emit(StepKind.Conv, [ctx.Op(x), weights, biasOp, ctx.Op(y), scratch],
            [n, c, g.H, g.W, m, g.KH, g.KW, g.OH, g.OW, g.PadTop, g.PadLeft, g.StrideH, g.StrideW, g.DilH, g.DilW, group, (int)epilogue.Act], [epilogue.P0, epilogue.P1]);
    }

    /// <summary>
    /// The Conv's weight and bias operands with the affine after it folded in (per output channel:
    /// <c>W · s</c> and <c>b · s + t</c>), or as they are.
    /// </summary>
    private static (RawOperand Weights, RawOperand Bias) ConvParameters(BuildContext ctx, OnnxNode node, Val w, Val? bias, Affine pre)
    {
        if (pre.IsIdentity)
        {
            return (ctx.Op(w), bias is null ? BuildContext.Empty : ctx.Op(bias));
        }

        var m = (int)w.Shape[0].Value;
        var (scale, shift) = pre.PerChannel(m);
        var weights = ctx.WeightOp($"conv-folded-w:{node.Outputs[0]}", () =>
        {
            var values = w.Const!.AsFloats().ToArray();
            var perChannel = values.Length / m;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] *= scale[i / perChannel];
            }

            return values;
        });
        var b = bias?.Const?.AsFloats();
        var folded = ctx.WeightOp($"conv-folded-b:{node.Outputs[0]}", () => Enumerable.Range(0, m).Select(oc => (b?[oc] ?? 0f) * scale[oc] + shift[oc]).ToArray());
        return (weights, folded);
    }

    private static void EmitPool(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        if (node.Outputs.Count > 1 && node.Outputs[1].Length > 0)
        {
            throw new UnsupportedException("MaxPool's Indices output is not supported");
        }

        node.Reject("storage_order", a => a.Int != 0, "only row-major");
        var kernel = node.Ints("kernel_shape") ?? throw new UnsupportedException("kernel_shape is required");
        var g = Geometry(node, x.Shape, kernel, node.Int("ceil_mode", 0) != 0);
        var (n, c) = (x.Shape[0], x.Shape[1]);
        var y = Out(ctx, node.Outputs[0], SpatialShape(n, c, g, x.Shape.Length - 2));
        var max = node.OpType == "MaxPool";
        ctx.Emit(StepKind.Pool, [ctx.Op(x), ctx.Op(y)],
            [max ? 0 : 1, n * c, g.H, g.W, g.OH, g.OW, g.KH, g.KW, g.PadTop, g.PadLeft, g.PadBottom, g.PadRight, g.StrideH, g.StrideW, g.DilH, g.DilW,
                node.Int("count_include_pad", 0)], []);
    }

    private static void EmitGlobalPool(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        if (x.Shape.Length < 3)
        {
            throw new UnsupportedException("global pooling needs a spatial dimension");
        }

        var shape = x.Shape.Select((d, i) => i < 2 ? d : 1).ToArray();
        var y = Out(ctx, node.Outputs[0], shape);
        ctx.Emit(StepKind.GlobalPool, [ctx.Op(x), ctx.Op(y)], [node.OpType == "GlobalMaxPool" ? 0 : 1, x.Shape[0] * x.Shape[1], x.Shape.Product(2)], []);
    }
}

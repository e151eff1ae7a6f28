using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class NodeEmitter
{
    /// <summary>ConvTranspose, 1-D or 2-D, with groups, strides, dilations, pads, output_padding, output_shape and auto_pad.</summary>
    private static void EmitConvTranspose(BuildContext ctx, OnnxNode node)
    {
        var (x, w) = (Float(ctx, node.Inputs[0]), Float(ctx, node.Inputs[1]));
        var spatial = x.Shape.Length - 2;
        if (spatial is < 1 or > 2 || w.Shape.Length != x.Shape.Length)
        {
            throw new UnsupportedException("ConvTranspose other than 1-D or 2-D");
        }

        var groups = node.Int("group", 1);
        var kernel = w.Shape[2..].Constants("ConvTranspose's kernel");
        var strides = node.Ints("strides") ?? Ones(spatial);
        var dilations = node.Ints("dilations") ?? Ones(spatial);
        var outputPadding = node.Ints("output_padding") ?? new long[spatial];
        var pads = node.Ints("pads") ?? new long[2 * spatial];
        var inSizes = x.Shape[2..];
        var outSizes = new Dim[spatial];
        var explicitShape = node.Ints("output_shape");
        var autoPad = node.Str("auto_pad", "NOTSET");
        for (var d = 0; d < spatial; d++)
        {
            if (explicitShape is not null || autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                // The output size is given (or in·stride); the pads are what it leaves, the odd one at the end for SAME_UPPER, else at the start.
                outSizes[d] = explicitShape?[^(spatial - d)] ?? inSizes[d] * strides[d];
                var total = (OpShapes.ConvTransposeSize(inSizes[d], kernel[d], strides[d], dilations[d], 0, 0, outputPadding[d]) - outSizes[d]).Constant("SAME padding of a symbolic size");
                var half = (long)Math.Floor(total / 2.0); // floor: a negative total (output_shape past the natural size) adds to the end
                var lower = autoPad == "SAME_UPPER" ? half : total - half;
                (pads[d], pads[d + spatial]) = (lower, total - lower);
                continue;
            }

            outSizes[d] = OpShapes.ConvTransposeSize(inSizes[d], kernel[d], strides[d], dilations[d], pads[d], pads[d + spatial], outputPadding[d]);
        }

        var outC = w.Shape[1] * groups;
        var bias = ctx.Optional(node, 2) is { } b ? ctx.Op(Float(ctx, b.Name)) : BuildContext.Empty;
        var y = Out(ctx, node.Outputs[0], [x.Shape[0], outC, .. outSizes]);
        var (inH, inW, outH, outW) = spatial == 2 ? (inSizes[0], inSizes[1], outSizes[0], outSizes[1]) : ((Dim)1, inSizes[0], (Dim)1, outSizes[0]);
        var (kH, kW) = spatial == 2 ? (kernel[0], kernel[1]) : (1, kernel[0]);
        var (sH, sW, dH, dW, pT, pL) = spatial == 2 ? (strides[0], strides[1], dilations[0], dilations[1], pads[0], pads[1]) : (1, strides[0], 1, dilations[0], 0, pads[0]);
        ctx.Emit(StepKind.ConvTranspose, [ctx.Op(x), ctx.Op(w), bias, ctx.Op(y)],
            [x.Shape[0], x.Shape[1], inH, inW, outC, outH, outW, groups, kH, kW, sH, sW, pT, pL, dH, dW], []);
    }

    private static long[] Ones(int count) => Enumerable.Repeat(1L, count).ToArray();
}

using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class QdqFusion
{
    /// <summary>
    /// The integer kernel of a 2-D Conv with weights W [M, C/group, kh, kw]: <see cref="Kernels.QConv"/> without groups,
    /// <see cref="Kernels.QConvDepthwise"/> for one input and one output channel per group (MobileNet's depthwise
    /// convolutions; ONNX Runtime's QLinearConv takes any group) without dilation; other groups have none.
    /// </summary>
    private static StepKind? ConvKernel(OnnxNode node, IReadOnlyList<long> dims)
    {
        var group = node.Int("group", 1);
        return dims.Count != 4 ? null
            : group == 1 ? StepKind.QConv
            : group == dims[0] && dims[1] == 1 && (node.Ints("dilations") ?? [1, 1]).All(d => d == 1) ? StepKind.QConvDepthwise
            : null;
    }

    /// <summary>
    /// A fused depthwise group: its int8 weights as they are (<c>[c, kh, kw]</c>, the kernel pairs the taps itself), the
    /// bias with <c>−xZero·Σw</c> folded in and the requantization scales that <see cref="Emit"/> computed.
    /// </summary>
    private static void EmitDepthwise(BuildContext ctx, QdqGroup g, Val x, int[] bias, float[] scale, int outputKind, TensorElementType outputType)
    {
        var kernel = g.Node.Ints("kernel_shape") ?? g.WeightDims[2..];
        if (x.Shape.Length != 4 || kernel.Length != 2 || x.Shape[1] != g.N)
        {
            throw new UnsupportedException("quantized depthwise Conv needs a 2-D kernel and one weight per input channel");
        }

        var key = g.Node.Outputs[0];
        var window = NodeEmitter.Geometry(g.Node, x.Shape, kernel);
        var (kh, kw, strideH, strideW) = ((int)window.KH.Value, (int)window.KW.Value, (int)window.StrideH.Value, (int)window.StrideW.Value);
        var weights = ctx.WeightBytesOp($"qdepthwise:{key}", () => g.Weights.Select(v => (byte)v).ToArray(), g.Weights.Length);
        var biasOp = ctx.WeightBytesOp($"qbias:{key}", () => bias.SelectMany(BitConverter.GetBytes).ToArray(), g.N);
        var scaleOp = ctx.WeightOp($"qscale:{key}", () => scale);
        var y = ctx.NewValue(g.OutputQ?.Outputs[0] ?? key, outputType, [x.Shape[0], g.N, window.OH, window.OW]);
        var scratch = ctx.ScratchBytes(x.Shape[0] * KernelSizes.QConvDepthwiseScratchLength(kh, kw, window.OH, window.OW, strideH, strideW));
        ctx.Emit(StepKind.QConvDepthwise, [ctx.Op(x), weights, biasOp, scaleOp, ctx.Op(y) with { Length = y.Count * BuildContext.ElementSize(outputType) }, scratch],
            [x.Shape[0], g.N, window.H, window.W, kh, kw, window.OH, window.OW, window.PadTop, window.PadLeft, strideH, strideW,
                g.InputZero, outputKind, g.OutputZero, 0], []);
    }
}

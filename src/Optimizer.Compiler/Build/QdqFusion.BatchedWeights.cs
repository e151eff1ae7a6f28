using Optimizer.Compiler.Shapes;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class QdqFusion
{
    /// <summary>
    /// A fused <see cref="Kernels.QConv"/>'s batched weights (<see cref="Kernels.PackQConvBatchedWeights"/>: tap-major weights,
    /// per-pixel biases and tap lists), its seventh operand, where the batched path can take the convolution: a shape
    /// <see cref="Kernels.QConvBatchable"/> accepts, known without the input's symbolic dimensions (the per-pixel tables
    /// are the plane's), and tap-major pairs that cannot saturate. Elsewhere the operand is empty and the kernel runs per image.
    /// </summary>
    private static RawOperand BatchedWeightsOp(BuildContext ctx, string key, byte[] packed, int[] bias, float[] scale, NodeEmitter.Window window, Dim c, int m,
        int xZero, int outputKind)
    {
        Dim[] geometry = [c, window.H, window.W, window.KH, window.KW, window.OH, window.OW, window.PadTop, window.PadLeft, window.StrideH, window.StrideW,
            window.DilH, window.DilW];
        if (!geometry.All(d => d.IsConstant) || !Kernels.QConvBatchable((int)c.Value, (int)window.OH.Value, (int)window.OW.Value, outputKind))
        {
            return BuildContext.Empty;
        }

        var (channels, h, w, kh, kw, oh, ow) = ((int)c.Value, (int)window.H.Value, (int)window.W.Value, (int)window.KH.Value, (int)window.KW.Value,
            (int)window.OH.Value, (int)window.OW.Value);
        var batched = new byte[Kernels.QConvBatchedWeightsLength(channels, m, kh, kw, oh, ow)];
        if (!Kernels.PackQConvBatchedWeights(packed, bias, scale, batched, channels, h, w, m, kh, kw, oh, ow, (int)window.PadTop.Value, (int)window.PadLeft.Value,
                (int)window.StrideH.Value, (int)window.StrideW.Value, (int)window.DilH.Value, (int)window.DilW.Value, xZero))
        {
            return BuildContext.Empty;
        }

        return ctx.WeightBytesOp($"qbatched:{key}", () => batched, batched.Length);
    }
}

using Optimizer.Compiler.Shapes;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class QdqFusion
{
    /// <summary>
    /// A fused <see cref="Kernels.QConv"/>'s operands for the batched small-plane path, its seventh and eighth: the weights tap-major
    /// (<see cref="Kernels.PackInt8TapMajor"/>, which the linker finds in the model's initializer like the per-image packed weights)
    /// and each output pixel's bias and taps (<see cref="Kernels.PackQConvPixelTables"/>). Made where the path can take the convolution:
    /// a shape <see cref="Kernels.QConvBatchable"/> accepts, known without the input's symbolic dimensions (the tables are the plane's),
    /// and tap-major pairs that cannot saturate. Elsewhere both are empty and the kernel runs per image.
    /// </summary>
    private static (RawOperand TapMajor, RawOperand Tables) BatchedOperands(BuildContext ctx, string key, QdqGroup g, int[] bias, float[] scale,
        NodeEmitter.Window window, Dim c, int outputKind)
    {
        Dim[] geometry = [c, window.H, window.W, window.KH, window.KW, window.OH, window.OW, window.PadTop, window.PadLeft, window.StrideH, window.StrideW,
            window.DilH, window.DilW];
        var none = (BuildContext.Empty, BuildContext.Empty);
        // g.Weights are the ONNX [m, c, kh, kw] (a Conv's layout has transB): what PackInt8TapMajor reads.
        if (!g.TransB || !geometry.All(d => d.IsConstant) || !Kernels.QConvBatchable((int)c.Value, (int)window.OH.Value, (int)window.OW.Value, outputKind))
        {
            return none;
        }

        var (channels, h, w, kh, kw, oh, ow) = ((int)c.Value, (int)window.H.Value, (int)window.W.Value, (int)window.KH.Value, (int)window.KW.Value,
            (int)window.OH.Value, (int)window.OW.Value);
        var tapMajor = new byte[Kernels.PackedInt8TapMajorLength(channels, g.N, kh, kw)];
        if (!Kernels.PackInt8TapMajor(g.Weights, tapMajor, channels, g.N, kh, kw))
        {
            return none;
        }

        var tables = new byte[Kernels.QConvPixelTablesLength(channels, g.N, kh, kw, oh, ow)];
        Kernels.PackQConvPixelTables(tapMajor, bias, scale, tables, channels, h, w, g.N, kh, kw, oh, ow, (int)window.PadTop.Value, (int)window.PadLeft.Value,
            (int)window.StrideH.Value, (int)window.StrideW.Value, (int)window.DilH.Value, (int)window.DilW.Value, g.InputZero);
        return (ctx.WeightBytesOp($"qtapmajor:{key}", () => tapMajor, tapMajor.Length), ctx.WeightBytesOp($"qpixels:{key}", () => tables, tables.Length));
    }
}

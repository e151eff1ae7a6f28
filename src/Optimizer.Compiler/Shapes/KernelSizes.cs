using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Shapes;

/// <summary>
/// The kernels' scratch and packing sizes (<see cref="Kernels.PackedBLength"/> and friends) as
/// dims, so they stay expressions of the symbolic dimensions; KernelSizesTests checks they agree
/// with the kernels' own functions.
/// </summary>
internal static class KernelSizes
{
    /// <summary><see cref="Kernels.PackedBLength"/>: n rounded up to whole panels, times k.</summary>
    public static Dim PackedBLength(Dim k, Dim n) => (n + (Kernels.PanelWidth - 1)) / Kernels.PanelWidth * Kernels.PanelWidth * k;

    /// <summary>
    /// <see cref="Kernels.ConvScratchLength"/> where the shape is constant; with symbolic
    /// dimensions its packed im2col, which bounds it at every binding.
    /// </summary>
    public static Dim ConvScratchLength(Dim c, Dim group, Build.NodeEmitter.Window g)
    {
        Dim[] dims = [c, group, g.H, g.W, g.KH, g.KW, g.OH, g.OW, g.PadTop, g.PadLeft, g.StrideH, g.StrideW, g.DilH, g.DilW];
        return dims.All(d => d.IsConstant)
            ? Kernels.ConvScratchLength((int)c.Value, (int)g.H.Value, (int)g.W.Value, (int)g.KH.Value, (int)g.KW.Value, (int)g.OH.Value, (int)g.OW.Value,
                (int)g.PadTop.Value, (int)g.PadLeft.Value, (int)g.StrideH.Value, (int)g.StrideW.Value, (int)g.DilH.Value, (int)g.DilW.Value, (int)group.Value)
            : PackedBLength(c / group * g.KH * g.KW, g.OH * g.OW);
    }

    /// <summary><see cref="Kernels.QConvScratchLength"/>.</summary>
    public static Dim QConvScratchLength(Dim c, Dim kh, Dim kw, Dim oh, Dim ow) => oh * ow * ((c * kh * kw + 3) / 4 * 4);

    /// <summary><see cref="Kernels.QConvDepthwiseScratchLength"/>: the pair plane (rows × width int32), then the sums plus 32.</summary>
    public static Dim QConvDepthwiseScratchLength(int kh, int kw, Dim oh, Dim ow, int strideH, int strideW)
    {
        var pairStep = strideW == 1 ? 2 : 1;
        var rows = (oh - 1) * strideH + kh;
        var width = ((ow + 7) / 8 * 8 + ((kw + 1) / 2 - 1) * pairStep + 7) / 8 * 8;
        return rows * width * 4 + (oh * ow + 32) * 4;
    }
}

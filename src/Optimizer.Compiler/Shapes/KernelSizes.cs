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

    /// <summary><see cref="Kernels.ConvScratchLength"/>.</summary>
    public static Dim ConvScratchLength(Dim c, Dim kh, Dim kw, Dim oh, Dim ow, Dim group) => PackedBLength(c / group * kh * kw, oh * ow);

    /// <summary><see cref="Kernels.QConvScratchLength"/>.</summary>
    public static Dim QConvScratchLength(Dim c, Dim kh, Dim kw, Dim oh, Dim ow) => oh * ow * ((c * kh * kw + 3) / 4 * 4);
}

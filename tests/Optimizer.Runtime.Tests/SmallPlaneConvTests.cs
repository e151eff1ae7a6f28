using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The fp32 convolution of small "same" planes (a CNN's late layers: the digits model's 8×8 and
/// 4×4 maps), whose im2col on AVX2 is one masked load per tap at a constant offset
/// (Kernels.Conv.ShiftedLoads.cs), against a double-precision loop: the digits shapes and odd ones
/// (3×3, 5×7 planes, channel counts off the 6/8/16 tiles, padding other than 1, 5×5 and 2×3
/// kernels), batches 1, 3, 5 and 64 (images in parallel), each epilogue, with and without bias.
/// Run it with <c>DOTNET_EnableHWIntrinsic=0</c> as well: the scalar path packs by copying.
/// </summary>
public sealed class SmallPlaneConvTests
{
    [Theory]
    [InlineData(1, 1, 8, 8, 16, 3, 3, 1, 1, 1, true)]   // digits conv1
    [InlineData(64, 1, 8, 8, 16, 3, 3, 1, 1, 1, true)]  // digits conv1, batch 64
    [InlineData(1, 16, 4, 4, 32, 3, 3, 1, 1, 1, true)]  // digits conv2
    [InlineData(64, 16, 4, 4, 32, 3, 3, 1, 1, 1, true)] // digits conv2, batch 64
    [InlineData(3, 5, 3, 3, 7, 3, 3, 1, 1, 2, true)]    // 3×3 plane: the last panel's padding reads past the next plane, so it packs by copying; clamp
    [InlineData(5, 3, 5, 7, 13, 3, 3, 1, 1, 0, false)]  // 5×7: rows cross the 8-lane groups, 35 of 48 packed pixels
    [InlineData(5, 17, 4, 4, 11, 3, 3, 1, 1, 1, false)] // 17 channels, 11 outputs, no bias
    [InlineData(3, 2, 8, 8, 5, 5, 5, 2, 2, 2, true)]    // 5×5, padding 2: taps reach two rows and columns out
    [InlineData(3, 4, 6, 5, 9, 2, 3, 0, 1, 1, true)]    // 2×3, padding only on top of the kernel's rows: 5 output rows of 6
    [InlineData(1, 1, 1, 1, 3, 3, 3, 1, 1, 1, true)]    // a 1×1 plane: every tap but the centre is padding
    [InlineData(64, 8, 2, 8, 6, 3, 3, 1, 1, 0, true)]   // 2×8: the taps a row up or down leave the plane
    public void Same_conv_matches_a_double_loop(int n, int c, int h, int w, int m, int kh, int kw, int padTop, int padLeft, int act, bool withBias)
    {
        const float actMin = -0.2f, actMax = 0.3f;
        var oh = h + 2 * padTop - kh + 1;
        var ow = w + 2 * padLeft - kw + 1;
        Assert.Equal(w, ow); // the shapes above are "same" in width, which the shifted loads need
        var random = new Random(n * 1000 + c * 100 + h * 10 + m);
        var x = ConvReference.Values(random, n * c * h * w);
        var weights = ConvReference.Values(random, m * c * kh * kw);
        var bias = withBias ? ConvReference.Values(random, m) : [];
        var y = new float[n * m * oh * ow];
        var scratch = new float[n * Kernels.ConvScratchLength(c, h, w, kh, kw, oh, ow, padTop, padLeft, 1, 1, 1, 1, 1)];

        Kernels.Conv(x, weights, bias, y, scratch, n, c, h, w, m, kh, kw, oh, ow, padTop, padLeft, 1, 1, 1, 1, 1, act, actMin, actMax);

        ConvReference.AssertMatches(x, weights, bias, y, n, c, h, w, m, kh, kw, oh, ow, padTop, padLeft, act, actMin, actMax);
    }

    /// <summary>Which shapes take the shifted loads: "same" width, unit strides and dilation only.</summary>
    [Theory]
    [InlineData(16, 4, 4, 32, 3, 3, 1, 1, 1, 1, true)]   // digits conv2
    [InlineData(1, 8, 8, 16, 3, 3, 1, 1, 1, 1, true)]    // digits conv1
    [InlineData(16, 4, 4, 32, 3, 3, 0, 0, 1, 1, false)]  // no padding: narrower output
    [InlineData(16, 8, 8, 32, 3, 3, 1, 1, 2, 1, false)]  // stride 2
    [InlineData(16, 8, 8, 32, 3, 3, 2, 2, 1, 2, false)]  // dilation 2
    [InlineData(4, 200, 200, 8, 3, 3, 1, 1, 1, 1, false)] // a large plane: block by block
    public void Shifted_loads_apply_to_small_same_planes(int c, int h, int w, int m, int kh, int kw, int pad, int padLeft, int stride, int dilation, bool applies)
    {
        var oh = (h + 2 * pad - dilation * (kh - 1) - 1) / stride + 1;
        var ow = (w + 2 * padLeft - dilation * (kw - 1) - 1) / stride + 1;
        var shape = new Kernels.ConvShape(c, h, w, m, kh, kw, oh, ow, pad, padLeft, stride, stride, dilation, dilation, 1);
        Assert.Equal(applies, Kernels.ShiftedLoadsApply(shape));
    }
}

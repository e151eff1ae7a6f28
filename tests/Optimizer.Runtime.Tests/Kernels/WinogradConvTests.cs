using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The Winograd F(2×2, 3×3) and F(4×4, 3×3) convolution of small planes over a batch and of large
/// planes in bands of tile rows at any batch (Kernels.Conv.Winograd*.cs) against a double-precision
/// loop: the digits model's 4×4 conv at batches 3, 12 and 64, PP-OCRv4 det's 96 → 24 channels on
/// 80×80 and 40×40, odd planes (odd output rows and columns: the grid's last tile half outside, the
/// last band partial), channel counts off the 8-channel vectors, padding 0 and 2, each epilogue,
/// with and without bias; and which shapes take it. Off AVX2 + FMA (<c>DOTNET_EnableAVX2=0</c>, <c>DOTNET_EnableHWIntrinsic=0</c>) the same
/// cases run the packed path and must match too.
/// </summary>
public sealed class WinogradConvTests
{
    [Theory]
    [InlineData(64, 16, 4, 4, 32, 1, 1, true, 4)]   // digits conv2, batch 64: one 4×4 tile per image
    [InlineData(3, 16, 4, 4, 32, 1, 1, true, 0)]    // 12 tiles: below the minimum, the packed path
    [InlineData(12, 16, 4, 4, 32, 1, 1, true, 2)]   // 12 images: 2×2 tiles, their scratch holds chunks of 4 images, not the 8 aimed at
    [InlineData(32, 17, 4, 4, 19, 1, 2, false, 4)]  // 17 and 19 channels on 4×4 tiles, two chunks; clamp
    [InlineData(7, 17, 5, 7, 19, 1, 2, false, 2)]   // 5×7: the last tile row and column half outside
    [InlineData(20, 16, 3, 3, 20, 0, 0, true, 2)]   // unpadded: a 1×1 output, three quarters of each tile dropped
    [InlineData(24, 16, 6, 6, 16, 0, 0, true, 4)]   // unpadded 6×6 input: a 4×4 output
    [InlineData(4, 20, 6, 6, 20, 2, 2, true, 2)]    // padding 2: an 8×8 output from a 6×6 input; too little scratch for 4×4 tiles
    [InlineData(64, 24, 2, 8, 40, 1, 1, true, 2)]   // 2×8, 40 outputs: three panels, the last half full
    [InlineData(17, 16, 8, 8, 16, 1, 1, false, 4)]  // 8×8 (the largest plane), 17 images: a partial last chunk
    [InlineData(64, 8, 4, 4, 16, 1, 1, true, 0)]    // 8 input channels: the packed path
    [InlineData(1, 96, 80, 80, 24, 1, 1, true, 4)]  // PP-OCRv4 det's heaviest conv, batch 1: 20 bands of one tile row
    [InlineData(2, 96, 40, 40, 24, 1, 2, true, 4)]  // det's 40×40 conv over 2 images: bands of 3 tile rows, the last of one
    [InlineData(3, 24, 16, 40, 24, 1, 0, true, 4)]  // 3 images of 4 tile rows: a band of 3 and a band of 1 each
    [InlineData(3, 16, 17, 19, 16, 1, 2, false, 2)] // odd 17×19: the last tile row and column half outside, 3 bands
    [InlineData(1, 33, 23, 21, 19, 1, 0, true, 2)]  // 33 and 19 channels, off the vectors and panels
    [InlineData(1, 16, 19, 19, 16, 0, 1, true, 2)]  // unpadded 17×17 output: the last band's last row past the input, cleared
    [InlineData(1, 20, 16, 16, 20, 2, 1, false, 2)] // padding 2: the first band's top two rows are padding
    public void Winograd_conv_matches_a_double_loop(int n, int c, int h, int w, int m, int pad, int act, bool withBias, int tile)
    {
        const float actMin = -0.2f, actMax = 0.3f;
        var (oh, ow) = (h + 2 * pad - 2, w + 2 * pad - 2);
        var random = new Random(n * 1000 + c * 100 + h * 10 + m);
        var x = ConvReference.Values(random, n * c * h * w);
        var weights = ConvReference.Values(random, m * c * 9);
        var bias = withBias ? ConvReference.Values(random, m) : [];
        var y = new float[n * m * oh * ow];
        var scratch = new float[n * Kernels.ConvScratchLength(c, h, w, 3, 3, oh, ow, pad, pad, 1, 1, 1, 1, 1)];

        var shape = new Kernels.ConvShape(c, h, w, m, 3, 3, oh, ow, pad, pad, 1, 1, 1, 1, 1);
        var runsHere = Kernels.WinogradLayout.RunsOnThisCpu;
        Assert.Equal(runsHere ? tile : 0, Kernels.WinogradLayout.For(shape, n, scratch.Length)?.Tile ?? 0);

        Kernels.Conv(x, weights, bias, y, scratch, n, c, h, w, m, 3, 3, oh, ow, pad, pad, 1, 1, 1, 1, 1, act, actMin, actMax);

        ConvReference.AssertMatches(x, weights, bias, y, n, c, h, w, m, 3, 3, oh, ow, pad, pad, act, actMin, actMax);
    }

    /// <summary>Which shapes and batches take the Winograd path (on the AVX2 + FMA and AVX-512 fp32 paths only).</summary>
    [Theory]
    [InlineData(64, 16, 4, 4, 32, 3, 3, 1, 1, 1, 1, true)]    // digits conv2, batch 64
    [InlineData(1, 16, 4, 4, 32, 3, 3, 1, 1, 1, 1, false)]    // batch 1: 4 tiles, the packed path
    [InlineData(64, 1, 8, 8, 16, 3, 3, 1, 1, 1, 1, false)]    // one input channel (digits conv1)
    [InlineData(64, 16, 4, 4, 8, 3, 3, 1, 1, 1, 1, false)]    // eight output channels: half a panel
    [InlineData(64, 8, 4, 4, 32, 3, 3, 1, 1, 1, 1, false)]    // eight input channels: 8 k steps
    [InlineData(64, 16, 8, 8, 32, 3, 3, 1, 2, 1, 1, false)]   // stride 2
    [InlineData(64, 16, 8, 8, 32, 3, 3, 2, 1, 2, 1, false)]   // dilation 2
    [InlineData(64, 16, 4, 4, 32, 3, 3, 1, 1, 1, 2, false)]   // two groups
    [InlineData(64, 16, 12, 12, 32, 3, 3, 1, 1, 1, 1, false)] // a 12×12 plane: past the small planes, short of the large ones
    [InlineData(64, 16, 16, 16, 32, 3, 3, 1, 1, 1, 1, true)]  // a 16×16 plane: in bands
    [InlineData(1, 96, 80, 80, 24, 3, 3, 1, 1, 1, 1, true)]   // PP-OCRv4 det's 80×80, batch 1: in bands
    [InlineData(1, 8, 80, 80, 24, 3, 3, 1, 1, 1, 1, false)]   // eight input channels on a large plane
    [InlineData(1, 16, 80, 80, 16, 3, 3, 1, 2, 1, 1, false)]  // stride 2 on a large plane
    [InlineData(64, 24, 36, 1, 24, 3, 1, 0, 1, 1, 1, false)]  // a 3×1 window (the wake-word embedding's)
    public void Winograd_applies_to_small_3x3_planes_over_a_batch_and_to_large_ones(int n, int c, int h, int w, int m, int kh, int kw, int pad, int stride, int dilation, int group, bool applies)
    {
        var oh = (h + 2 * pad - dilation * (kh - 1) - 1) / stride + 1;
        var ow = (w + 2 * pad - dilation * (kw - 1) - 1) / stride + 1;
        var shape = new Kernels.ConvShape(c, h, w, m, kh, kw, oh, ow, pad, pad, stride, stride, dilation, dilation, group);
        var scratch = (long)n * Kernels.ConvScratchLength(c, h, w, kh, kw, oh, ow, pad, pad, stride, stride, dilation, dilation, group);
        var runsHere = Kernels.WinogradLayout.RunsOnThisCpu;
        Assert.Equal(applies && runsHere, Kernels.WinogradLayout.For(shape, n, scratch) is not null);
    }
}

using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// 3×3 unit-stride convolutions large enough to run blocked, which on AVX2 run as the direct
/// implicit GEMM (<c>Kernels.Conv.Direct3x3.cs</c>; elsewhere the blocked im2col), against a
/// double-precision loop with each epilogue activation: PP-OCRv4 det's 96 → 24 at 80 × 80, and odd
/// sizes (channels not a multiple of 6, lines not a multiple of 16, no padding, batch 2). The
/// scratch is <see cref="Kernels.ConvScratchLength"/>, the blocked size (for det's, far below the im2col).
/// Rows with 16 or more channels in and out (det's, the 40-channel one) run as Winograd bands through
/// <see cref="Kernels.Conv"/> on x86 (WinogradConvTests); the others keep the direct path.
/// Run it with <c>DOTNET_EnableAVX512=0</c> (AVX2) and <c>DOTNET_EnableHWIntrinsic=0</c> as well.
/// </summary>
public sealed class ConvDirect3x3KernelTests
{
    [Theory]
    [InlineData(1, 96, 80, 80, 24, 1, 3, true)]   // det's p2o.Conv.58: 4 tiles of 6 channels, 5 segments per line, HardSwish
    [InlineData(2, 40, 36, 40, 24, 1, 1, true)]   // batch 2 (images in parallel), 40-wide lines: a half segment, Relu
    [InlineData(1, 37, 29, 41, 10, 1, 2, true)]   // 6 + 4 channels, 41-wide lines, clamp
    [InlineData(1, 13, 35, 47, 7, 1, 0, false)]   // 6 + 1 channels, no bias, no activation
    [InlineData(2, 20, 33, 33, 13, 1, 4, true)]   // one pixel past two segments, HardSigmoid, batch 2
    [InlineData(1, 17, 50, 36, 5, 0, 5, true)]    // no padding (the copy still holds it), 5 channels, LeakyRelu
    [InlineData(1, 64, 20, 100, 11, 1, 1, true)]  // 100-wide lines, 6 + 5 channels
    public void Direct_3x3_conv_matches_a_double_loop(int n, int c, int h, int w, int m, int pad, int act, bool withBias)
    {
        var (p0, p1) = act switch { 2 => (-0.25f, 0.5f), 3 => (0.8f, 0.1f), 4 => (0.2f, 0.5f), 5 => (0.1f, -0.4f), _ => (0f, 0f) };
        int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2;
        var random = new Random(c * 1000 + w * 10 + m);
        var x = ConvReference.Values(random, n * c * h * w);
        var weights = ConvReference.Values(random, m * c * 9);
        var bias = withBias ? ConvReference.Values(random, m) : [];
        var y = new float[n * m * oh * ow];
        var perImage = Kernels.ConvScratchLength(c, h, w, 3, 3, oh, ow, pad, pad, 1, 1, 1, 1, 1);
        Assert.True(perImage <= Kernels.PackedBLength(c * 9, oh * ow), $"scratch {perImage}: more than the im2col");

        Kernels.Conv(x, weights, bias, y, new float[n * perImage], n, c, h, w, m, 3, 3, oh, ow, pad, pad, 1, 1, 1, 1, 1, act, p0, p1);

        foreach (var output in ConvReference.Sums(x, weights, bias, n, c, h, w, m, 3, 3, oh, ow, pad, pad))
        {
            var expected = Kernels.ApplyEpilogue((float)output.Sum, act, p0, p1);
            var actual = y[output.Index];
            Assert.True(Math.Abs(actual - expected) <= 1e-4 + 1e-4 * Math.Abs(expected), $"{output}: {actual} vs {expected}");
        }
    }

    [Theory]
    [InlineData(96, 80, 80, 1, true)]   // det's 96 → 24
    [InlineData(13, 35, 47, 1, true)]
    [InlineData(64, 20, 100, 1, true)]
    [InlineData(24, 40, 20, 1, false)]  // 20-wide lines: a single segment would leave most columns idle, the packed path fills them
    [InlineData(96, 8, 8, 1, false)]    // small enough to pack whole
    public void The_direct_path_takes_wide_blocked_3x3_convs_on_avx2(int c, int h, int w, int pad, bool direct)
    {
        int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2;
        var shape = new Kernels.ConvShape(c, h, w, 24, 3, 3, oh, ow, pad, pad, 1, 1, 1, 1, 1);
        var perImage = Kernels.ConvScratchLength(c, h, w, 3, 3, oh, ow, pad, pad, 1, 1, 1, 1, 1);
        var blocking = Kernels.ConvBlocking.For(shape, perImage, 1);
        var avx2 = KernelDispatch.Current.Fp32Gemm == KernelPath.Avx2Fma;
        Assert.Equal(direct && avx2, Kernels.RunsAsDirect3x3(shape, blocking, perImage));
    }

    [Fact]
    public void Det_3x3_conv_scratch_is_the_padded_copy_and_a_block_per_worker()
    {
        var perImage = Kernels.ConvScratchLength(96, 80, 80, 3, 3, 80, 80, 1, 1, 1, 1, 1, 1, 1);
        var padded = 96 * 82 * 82 + 32;
        var im2col = Kernels.PackedBLength(96 * 9, 80 * 80);
        Assert.InRange(perImage, padded + 96 * 9 * 64, im2col / 4);
    }
}

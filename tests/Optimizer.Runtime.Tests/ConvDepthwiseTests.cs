using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// Depthwise convolutions (one input channel per group) of the PP-OCR models against a double loop:
/// lines at least 20 pixels wide run as AVX2 row tiles (two rows × 32 pixels), narrower ones as
/// pending runs, stride-2 phase planes fill through the even-lane gather. 3×3 with strides 1 and
/// 2 (both, or one direction), 5×5 with pads 2, odd widths (a partial last tile: whole vectors
/// then a partial one), an odd row count (the last row alone), one-row and one-pixel-wide planes, kernel rows that read
/// only padding (skipped: on a 2-row plane 15 of a 5 × 5 kernel's 25 taps), even every tap of a row,
/// batches 1 and 3, with and without bias, each epilogue activation. On AVX-512 the zmm runs take
/// them all; under <c>DOTNET_EnableHWIntrinsic=0</c> the im2col GEMM does.
/// </summary>
public sealed class ConvDepthwiseTests
{
    private const float P0 = -0.4f, P1 = 0.7f;

    public static TheoryData<int, int, int, int, int, int, int, int, bool, int> Cases()
    {
        var data = new TheoryData<int, int, int, int, int, int, int, int, bool, int>
        {
            // n, c, h, w, k, pad, strideH, strideW, bias, act
            { 1, 32, 160, 160, 3, 1, 2, 2, true, 3 },  // PP-OCRv4 det p2o.Conv.3
            { 1, 16, 40, 160, 3, 1, 1, 1, true, 3 },   // det p2o.Conv.1 (fewer rows)
            { 1, 24, 20, 20, 5, 2, 1, 1, true, 3 },    // det's 5×5 on 20×20: one partial tile per line
            { 1, 24, 10, 10, 5, 2, 1, 1, true, 3 },    // det's 5×5 on 10×10: pending runs
            { 1, 200, 2, 96, 5, 2, 1, 1, true, 3 },    // cls p2o.Conv.43
            { 1, 88, 3, 96, 5, 2, 1, 1, false, 0 },    // cls p2o.Conv.18, no bias, no activation
            { 1, 32, 6, 96, 5, 2, 2, 1, true, 3 },     // cls p2o.Conv.13: vertical stride 2
            { 1, 24, 12, 80, 5, 2, 1, 1, true, 3 },    // rec p2o.Conv.13 (fewer channels)
            { 1, 16, 12, 160, 3, 1, 1, 2, true, 3 },   // rec p2o.Conv.11: horizontal stride 2
            { 3, 5, 7, 45, 3, 1, 1, 1, true, 1 },      // batch 3, a 45-wide line: one whole tile, one vector and a partial one
            { 3, 4, 9, 77, 5, 2, 2, 2, false, 2 },     // stride 2 over odd sizes: 39 wide (a 7-float tail)
            { 1, 3, 1, 40, 3, 1, 1, 1, true, 4 },      // a one-row image
            { 1, 3, 5, 33, 3, 0, 1, 1, true, 5 },      // no padding, 31 wide: three whole vectors and a 7-float tail
            { 1, 3, 5, 21, 3, 0, 1, 1, true, 2 },      // 19 wide: pending runs
            { 1, 3, 9, 65, 3, 1, 1, 1, false, 3 },     // 65 wide: two tiles and one pixel
            { 1, 2, 6, 1, 3, 1, 1, 1, true, 1 },       // one-pixel-wide plane
            { 1, 3, 1, 20, 5, 5, 1, 1, true, 3 },      // pads wider than the kernel: output rows whose every tap reads padding (the bias alone)
            { 2, 4, 3, 40, 5, 2, 2, 1, true, 1 },      // stride 2 on 3 rows: each output row a different set of kernel rows inside the image
        };
        for (var act = 0; act <= 5; act++)
        {
            data.Add(1, 6, 11, 70, 3, 1, 1, 1, act % 2 == 1, act);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_a_double_loop(int n, int c, int h, int w, int k, int pad, int strideH, int strideW, bool withBias, int act)
    {
        var oh = (h + 2 * pad - k) / strideH + 1;
        var ow = (w + 2 * pad - k) / strideW + 1;
        var random = new Random(n * 1000 + c * 100 + h + w + k);
        var x = Values(random, n * c * h * w, 2f);
        var weights = Values(random, c * k * k, 1f);
        var bias = withBias ? Values(random, c, 1f) : [];
        var y = new float[n * c * oh * ow];
        var scratch = new float[n * Kernels.ConvScratchLength(c, h, w, k, k, oh, ow, pad, pad, strideH, strideW, 1, 1, c)];

        Kernels.Conv(x, weights, bias, y, scratch, n, c, h, w, c, k, k, oh, ow, pad, pad, strideH, strideW, 1, 1, c, act, P0, P1);

        for (var i = 0; i < n; i++)
        {
            for (var ch = 0; ch < c; ch++)
            {
                for (var oy = 0; oy < oh; oy++)
                {
                    for (var ox = 0; ox < ow; ox++)
                    {
                        double sum = withBias ? bias[ch] : 0;
                        for (var ky = 0; ky < k; ky++)
                        {
                            for (var kx = 0; kx < k; kx++)
                            {
                                int iy = oy * strideH - pad + ky, ix = ox * strideW - pad + kx;
                                if ((uint)iy < (uint)h && (uint)ix < (uint)w)
                                {
                                    sum += (double)x[((i * c + ch) * h + iy) * w + ix] * weights[(ch * k + ky) * k + kx];
                                }
                            }
                        }

                        var expected = EpilogueActivationTests.Activate(sum, act, P0, P1);
                        var actual = y[((i * c + ch) * oh + oy) * ow + ox];
                        Assert.True(Math.Abs(actual - expected) <= 1e-4 * (1 + Math.Abs(expected)),
                            $"image {i}, channel {ch}, ({oy},{ox}) on {KernelDispatch.Current.Fp32Gemm}: {actual} vs {expected}");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_call_allocates_nothing()
    {
        const int c = 8, h = 3, w = 96, k = 5;
        var x = Values(new Random(5), c * h * w, 1f);
        var weights = Values(new Random(6), c * k * k, 1f);
        var bias = Values(new Random(7), c, 1f);
        var y = new float[c * h * w];
        var scratch = new float[Kernels.ConvScratchLength(c, h, w, k, k, h, w, 2, 2, 1, 1, 1, 1, c)];
        Kernels.Conv(x, weights, bias, y, scratch, 1, c, h, w, c, k, k, h, w, 2, 2, 1, 1, 1, 1, c, 3, 1f, 0f);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Kernels.Conv(x, weights, bias, y, scratch, 1, c, h, w, c, k, k, h, w, 2, 2, 1, 1, 1, 1, c, 3, 1f, 0f);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static float[] Values(Random random, int count, float range) =>
        Enumerable.Range(0, count).Select(_ => ((float)random.NextDouble() * 2 - 1) * range).ToArray();
}

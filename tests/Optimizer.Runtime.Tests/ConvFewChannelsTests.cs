using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// Convolutions over 2–4 input channels with a 3×3 kernel (the PP-OCR models' first layers), which
/// run on the direct few-channel kernel on AVX2 + FMA (run with <c>DOTNET_EnableAVX512=0</c> on an
/// AVX-512 CPU) and on the im2col path elsewhere (<c>DOTNET_EnableHWIntrinsic=0</c>: the scalar
/// GEMM), against a double loop: the det, rec and cls shapes, strides 1 and 2 in either direction,
/// odd widths and channel counts (partial tiles, 4 + 3 output channels), one-row outputs, pads 0–2,
/// batches 1 and 3, with and without bias, and every epilogue activation.
/// </summary>
public sealed class ConvFewChannelsTests
{
    private const float P0 = -0.4f, P1 = 0.7f;

    public static TheoryData<int, int, int, int, int, int, int, int, bool, int> Cases()
    {
        var data = new TheoryData<int, int, int, int, int, int, int, int, bool, int>
        {
            // n, c, h, w, m, pad, strideH, strideW, bias, act
            { 1, 3, 320, 320, 16, 1, 2, 2, true, 3 },  // PP-OCRv4 det at 320×320: rows split over threads
            { 1, 3, 48, 320, 16, 1, 2, 2, true, 3 },   // PP-OCRv4 rec
            { 1, 3, 48, 192, 8, 1, 2, 2, true, 3 },    // PP-OCR cls
            { 3, 3, 37, 45, 11, 1, 1, 1, false, 1 },   // batch 3, 45-wide lines, 4 + 4 + 3 channels
            { 3, 3, 31, 47, 6, 1, 2, 2, true, 2 },     // stride 2 over odd sizes, batch 3
            { 1, 2, 17, 33, 5, 0, 2, 2, true, 5 },     // no padding, two channels
            { 1, 4, 9, 16, 4, 1, 1, 1, true, 4 },      // four channels, one tile per line
            { 1, 3, 21, 40, 7, 1, 2, 1, false, 0 },    // vertical stride only
            { 1, 3, 10, 64, 9, 1, 1, 2, true, 1 },     // horizontal stride only
            { 1, 3, 12, 41, 4, 2, 2, 2, true, 3 },     // pad 2
            { 1, 3, 1, 40, 8, 1, 1, 1, true, 2 },      // a one-row image: both other rows are padding
            { 3, 3, 2, 35, 3, 1, 2, 2, false, 5 },     // one output row, three channels (one partial pass)
            { 1, 4, 129, 131, 20, 1, 1, 1, true, 1 },  // rows split over threads, an odd row count
        };
        for (var act = 0; act <= 5; act++)
        {
            data.Add(1, 3, 19, 53, 13, 1, 2, 2, act % 2 == 0, act);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_a_double_loop(int n, int c, int h, int w, int m, int pad, int strideH, int strideW, bool withBias, int act)
    {
        var oh = (h + 2 * pad - 3) / strideH + 1;
        var ow = (w + 2 * pad - 3) / strideW + 1;
        var random = new Random(n * 1000 + c * 100 + h + w + m);
        var x = Values(random, n * c * h * w, 2f);
        var weights = Values(random, m * c * 9, 1f);
        var bias = withBias ? Values(random, m, 1f) : [];
        var y = new float[n * m * oh * ow];
        var scratch = new float[n * Kernels.ConvScratchLength(c, h, w, 3, 3, oh, ow, pad, pad, strideH, strideW, 1, 1, 1)];

        Kernels.Conv(x, weights, bias, y, scratch, n, c, h, w, m, 3, 3, oh, ow, pad, pad, strideH, strideW, 1, 1, 1, act, P0, P1);

        foreach (var output in ConvReference.Sums(x, weights, bias, n, c, h, w, m, 3, 3, oh, ow, pad, pad, strideH, strideW))
        {
            var expected = EpilogueActivationTests.Activate(output.Sum, act, P0, P1);
            var actual = y[output.Index];
            Assert.True(Math.Abs(actual - expected) <= 1e-4 * (1 + Math.Abs(expected)),
                $"{output} on {KernelDispatch.Current.Fp32Gemm}: {actual} vs {expected}");
        }
    }

    [Fact]
    public void A_lone_image_below_the_thread_split_allocates_nothing()
    {
        const int c = 3, h = 48, w = 192, m = 8, oh = 24, ow = 96;
        var x = Values(new Random(5), c * h * w, 1f);
        var weights = Values(new Random(6), m * c * 9, 1f);
        var bias = Values(new Random(7), m, 1f);
        var y = new float[m * oh * ow];
        var scratch = new float[Kernels.ConvScratchLength(c, h, w, 3, 3, oh, ow, 1, 1, 2, 2, 1, 1, 1)];
        Kernels.Conv(x, weights, bias, y, scratch, 1, c, h, w, m, 3, 3, oh, ow, 1, 1, 2, 2, 1, 1, 1, 3, 1f, 0f);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Kernels.Conv(x, weights, bias, y, scratch, 1, c, h, w, m, 3, 3, oh, ow, 1, 1, 2, 2, 1, 1, 1, 3, 1f, 0f);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static float[] Values(Random random, int count, float range) =>
        Enumerable.Range(0, count).Select(_ => ((float)random.NextDouble() * 2 - 1) * range).ToArray();
}

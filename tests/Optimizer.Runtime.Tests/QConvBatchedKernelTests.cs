using System.Runtime.InteropServices;
using Optimizer.Runtime.Compiled;
using QuantizedConv = Optimizer.Runtime.Tests.QConvKernelTests.QuantizedConv;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// <see cref="Kernels.QConv"/>'s batched small-plane path (4 images per tile at one output pixel,
/// the padding taps skipped and folded into the bias, tap-major weights) against the plain-loop
/// convolution, byte for byte: batches that leave the last tile short, odd channel counts (padded
/// to quads), planes 2 × 2 to 8 × 8, stride, dilation, padding with a nonzero zero point, uint8
/// and int8 outputs, Relu, the 2 × 2 and 1 × 2 pools (within each image, though a tile's rows are
/// different images). Each case asserts which path ran; where the path does not run (too few
/// images, a large plane, float output, one input channel) the per-image kernel must still match.
/// Also the pooled-window path (2 × 2-pooled uint8 with a small k: a window's 4 pixels as a tile's rows, pooled on the int32 sums
/// by each channel's scale sign), with negative and zero scales.
/// </summary>
public class QConvBatchedKernelTests
{
    private static bool BatchedPathHere => KernelDispatch.Current.Int8Gemm is KernelPath.Avx2 or KernelPath.AvxVnni or KernelPath.Avx512BW;

    // n, c, h, w, m, kernel, pad, stride, dilation, output kind, pooled rows (0: no pool, 2: 2×2/2, 1: 1×2/1×2), batched
    [Theory]
    [InlineData(64, 16, 4, 4, 32, 3, 1, 1, 1, 0, 2, true)] // the digits CNN's second conv over a batch of 64
    [InlineData(64, 16, 4, 4, 32, 3, 1, 1, 1, 0, 0, true)] // unpooled: 16 × 16 transposes to NCHW
    [InlineData(5, 16, 8, 8, 16, 3, 1, 1, 1, 0, 2, true)] // an 8 × 8 plane pooled to 4 × 4; the last tile holds one image
    [InlineData(5, 5, 2, 2, 7, 3, 1, 1, 1, 0, 0, true)] // 5 channels padded to 8, a 2 × 2 plane (every pixel a corner), 7 outputs
    [InlineData(6, 7, 3, 3, 9, 3, 1, 1, 1, 1, 0, true)] // int8 output, the last tile two images
    [InlineData(7, 4, 5, 6, 33, 3, 1, 1, 1, 0, 1, true)] // 1 × 2 pool, 33 outputs (three panels), the last tile three images
    [InlineData(64, 9, 7, 7, 17, 3, 1, 1, 1, 0, 2, true)] // odd plane: pooled with floor
    [InlineData(8, 8, 8, 8, 16, 3, 1, 2, 1, 0, 0, true)] // stride 2
    [InlineData(5, 4, 6, 6, 8, 3, 2, 1, 2, 0, 0, true)] // dilation 2, padding 2
    [InlineData(4, 16, 8, 8, 32, 3, 1, 1, 1, 0, 0, true)] // 64 pixels, the largest plane taken
    [InlineData(4, 6, 4, 4, 5, 2, 0, 1, 1, 0, 0, true)] // an even kernel without padding: no tap skipped
    [InlineData(3, 16, 4, 4, 32, 3, 1, 1, 1, 0, 2, false)] // three images: per image
    [InlineData(2, 16, 4, 4, 32, 3, 1, 1, 1, 0, 0, false)] // two images: per image
    [InlineData(64, 16, 4, 4, 32, 3, 1, 1, 1, 2, 0, false)] // float output: per image
    [InlineData(4, 8, 10, 10, 8, 3, 1, 1, 1, 0, 0, false)] // 100 pixels: per image
    [InlineData(64, 1, 8, 8, 16, 3, 1, 1, 1, 0, 2, false)] // one input channel (the digits CNN's first conv): per image
    public void Matches_the_plain_loop_convolution(int n, int c, int h, int w, int m, int kernel, int pad, int stride, int dilation, int outputKind, int poolRows,
        bool batched)
    {
        var conv = new QuantizedConv(n, c, h, w, m, kernel, pad, stride, dilation, outputKind, 0, Seed: n * 131 + c * 17 + m);
        Assert.Equal(batched && BatchedPathHere, Kernels.QConvRunsBatched(n, c, conv.OH, conv.OW, outputKind));
        Assert.True(!batched || conv.BatchedOperands().TapMajor.Length > 0, "the batched path's shape gets batched weights");
        foreach (var relu in outputKind == 0 ? new[] { 0, 1 } : [0])
        {
            conv = conv with { Relu = relu };
            var expected = conv.Reference(poolRows);
            var actual = conv.Run(poolRows);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{KernelDispatch.Current}: relu {relu}: first difference at byte {QConvKernelTests.FirstDifference(expected, actual)}");
            if (batched)
            {
                // Without the compiler's batched weights (a program made before them) the same convolution runs per image.
                var perImage = conv.Run(poolRows, QuantizedConv.NoBatchedOperands);
                Assert.True(expected.AsSpan().SequenceEqual(perImage), $"{KernelDispatch.Current}: relu {relu}, per image: first difference at byte {QConvKernelTests.FirstDifference(expected, perImage)}");
            }
        }
    }

    /// <summary>
    /// The batched path's operands against plain loops over the ONNX weights: tap-major quads (<see cref="Kernels.PackInt8TapMajor"/>, channels
    /// padded with zeros) and the pixel tables (<see cref="Kernels.PackQConvPixelTables"/>): each pixel's bias with its padding taps'
    /// <c>xZero · Σ w</c> added, its taps inside the image, the padded scales.
    /// </summary>
    [Theory]
    [InlineData(5, 2, 2, 7, 3, 1, 1, 1)] // every pixel a corner; 5 channels padded to 8
    [InlineData(4, 5, 6, 33, 3, 1, 1, 1)] // three panels
    [InlineData(4, 6, 6, 8, 3, 2, 1, 2)] // dilation 2, padding 2
    [InlineData(8, 8, 8, 16, 3, 1, 2, 1)] // stride 2
    public void Batched_weights_hold_the_tap_major_weights_and_each_pixels_bias(int c, int h, int w, int m, int kernel, int pad, int stride, int dilation)
    {
        var conv = new QuantizedConv(4, c, h, w, m, kernel, pad, stride, dilation, 0, 0, Seed: c * 13 + m);
        var (batched, tables) = conv.BatchedOperands();
        var (taps, cp, mp, plane) = (kernel * kernel, (c + 3) / 4 * 4, (m + 15) / 16 * 16, conv.OH * conv.OW);
        Assert.Equal(Kernels.PackedInt8TapMajorLength(c, m, kernel, kernel), batched.Length);
        Assert.Equal(Kernels.QConvPixelTablesLength(c, m, kernel, kernel, conv.OH, conv.OW), tables.Length);
        var weights = conv.WeightValues;
        for (var o = 0; o < mp; o++)
        {
            for (var t = 0; t < taps; t++)
            {
                for (var ci = 0; ci < cp; ci++)
                {
                    var k = t * cp + ci;
                    var at = (o / 16 * taps * cp / 4 + k / 4) * 64 + o % 16 * 4 + k % 4;
                    Assert.Equal(o < m && ci < c ? weights[o * c * taps + ci * taps + t] : 0, (sbyte)batched[at]);
                }
            }
        }

        var pixelBias = MemoryMarshal.Cast<byte, int>(tables.AsSpan(0, plane * mp * 4));
        var scales = MemoryMarshal.Cast<byte, float>(tables.AsSpan(plane * mp * 4, mp * 4));
        var tapLists = MemoryMarshal.Cast<byte, int>(tables.AsSpan(plane * mp * 4 + mp * 4));
        for (var p = 0; p < plane; p++)
        {
            var inside = new List<int>();
            for (var t = 0; t < taps; t++)
            {
                var iy = p / conv.OW * stride - pad + t / kernel * dilation;
                var ix = p % conv.OW * stride - pad + t % kernel * dilation;
                if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                {
                    inside.Add(t);
                    Assert.Equal((iy * w + ix) * cp, tapLists[p * (2 * taps + 1) + 2 * inside.Count - 1]);
                    Assert.Equal(t * cp / 4 * 64, tapLists[p * (2 * taps + 1) + 2 * inside.Count]);
                }
            }

            Assert.Equal(inside.Count, tapLists[p * (2 * taps + 1)]);
            for (var o = 0; o < mp; o++)
            {
                var outside = o < m ? Enumerable.Range(0, taps).Except(inside).Sum(t => Enumerable.Range(0, c).Sum(ci => (int)weights[o * c * taps + ci * taps + t])) : 0;
                Assert.Equal(o < m ? conv.BiasValues[o] + QuantizedConv.InputZero * outside : 0, pixelBias[p * mp + o]);
            }
        }

        Assert.Equal(conv.ScaleValues.Concat(new float[mp - m]), scales.ToArray());
    }

    /// <summary>Batched weights made for another shape are refused, not read past their end.</summary>
    [Fact]
    public void Refuses_batched_weights_of_another_shape()
    {
        var conv = new QuantizedConv(8, 16, 4, 4, 32, 3, 1, 1, 1, 0, 0, Seed: 3);
        var other = new QuantizedConv(8, 16, 4, 4, 16, 3, 1, 1, 1, 0, 0, Seed: 3).BatchedOperands();
        Assert.NotEmpty(other.TapMajor);
        Assert.Throws<ArgumentException>(() => conv.Run(0, other));
    }

    // n, c, h, w, m, kernel, pad, stride, output kind; pooled 2×2; whether the pooled-window path runs (the rest pool in the pixel-lane epilogue or after it)
    [Theory]
    [InlineData(1, 1, 8, 8, 16, 3, 1, 1, 0, true)] // the digits CNN's first conv, batch 1: 16 windows, a 16 × 16 transpose to NCHW
    [InlineData(64, 1, 8, 8, 16, 3, 1, 1, 0, true)] // and batch 64
    [InlineData(3, 2, 6, 10, 20, 3, 1, 1, 0, true)] // 15 windows (the last pair repeats one), 20 outputs over two panels
    [InlineData(2, 4, 7, 7, 9, 3, 1, 1, 0, true)] // k = 36, an odd plane pooled with floor, 9 outputs
    [InlineData(2, 3, 8, 2, 6, 3, 1, 1, 0, true)] // rows 2 wide
    [InlineData(2, 2, 9, 9, 5, 3, 1, 2, 0, true)] // stride 2 (5 × 5, floor)
    [InlineData(2, 5, 8, 8, 8, 3, 1, 1, 0, false)] // k = 45: pooled in the pixel-lane epilogue
    [InlineData(3, 16, 4, 4, 32, 3, 1, 1, 0, false)] // three images of the digits CNN's second conv: per image, pooled in the epilogue
    [InlineData(2, 3, 8, 8, 7, 3, 1, 1, 1, false)] // int8 output cannot pool: unpooled
    public void Pooled_windows_match_the_plain_loop_convolution(int n, int c, int h, int w, int m, int kernel, int pad, int stride, int outputKind, bool windows)
    {
        foreach (var signed in new[] { false, true })
        {
            foreach (var relu in new[] { 0, 1 })
            {
                var conv = new QuantizedConv(n, c, h, w, m, kernel, pad, stride, 1, outputKind, relu, Seed: n * 31 + c * 7 + m, SignedScales: signed);
                var poolRows = outputKind == 0 ? 2 : 0;
                Assert.Equal(windows && BatchedPathHere, Kernels.QConvRunsPooledWindows(c, kernel, kernel, conv.OH, conv.OW, outputKind, poolRows));
                var expected = conv.Reference(poolRows);
                var actual = conv.Run(poolRows);
                Assert.True(expected.AsSpan().SequenceEqual(actual),
                    $"{KernelDispatch.Current}: signed scales {signed}, relu {relu}: first difference at byte {QConvKernelTests.FirstDifference(expected, actual)}");
            }
        }
    }

    /// <summary>The pool takes the requantized bytes, so negative and zero scales pool like any other (a tile's rows are different images).</summary>
    [Fact]
    public void Pools_with_negative_and_zero_scales()
    {
        foreach (var relu in new[] { 0, 1 })
        {
            var conv = new QuantizedConv(9, 8, 4, 4, 20, 3, 1, 1, 1, 0, relu, Seed: 5, SignedScales: true);
            Assert.Equal(BatchedPathHere, Kernels.QConvRunsBatched(conv.N, conv.C, conv.OH, conv.OW, 0));
            Assert.True(conv.Reference(2).AsSpan().SequenceEqual(conv.Run(2)));
        }
    }

    /// <summary>
    /// Weights whose own pairs fit <c>vpmaddubsw</c> (|b₀| + |b₁| ≤ 128) but whose tap-major pairs
    /// do not (channels 0 and 1 at the first tap, 100 each): the batched path declines and the
    /// per-image kernel, with the weights' own pairs, still matches the plain loops.
    /// </summary>
    [Fact]
    public void Falls_back_where_the_repacked_pairs_could_saturate()
    {
        const int c = 4, m = 3, k = c * 9;
        var weights = new sbyte[m * k];
        for (var o = 0; o < m; o++)
        {
            weights[o * k] = 100;     // channel 0, tap 0: paired with k = 1 (zero) in the packed weights
            weights[o * k + 9] = 100; // channel 1, tap 0: paired with k = 8 (zero); tap-major, with channel 0's
            weights[o * k + 20] = -60;
        }

        Assert.True(Kernels.Int8PairsFit(weights, k, m, transB: 1), "the weights' own pairs fit");
        var conv = new QuantizedConv(8, c, 4, 4, m, 3, 1, 1, 1, 0, 0, Seed: 11, FixedWeights: weights);
        Assert.Empty(conv.BatchedOperands().TapMajor); // the compiler emits none: the kernel runs per image
        Assert.True(conv.Reference(0).AsSpan().SequenceEqual(conv.Run(0)));
    }
}

using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// <see cref="Kernels.QConvDepthwise"/> against QLinearConv's definition computed in plain integers
/// (<c>Σ (x − xZero)·w + bias</c> over the zero-padded window, then <c>round_half_even(float(acc)·scale) + yZero</c>, saturated),
/// byte for byte: odd channel counts and planes, kernels 3×3 and 5×5, strides 1 and 2 on either axis (and 3: the
/// scalar loop on every CPU), asymmetric pads, the full int8 weight range, outputs clamped at both ends, every output kind,
/// Relu, batch 1 and 3, rows wide enough for 32-pixel blocks.
/// </summary>
public class QConvDepthwiseKernelTests
{
    // n, c, h, w, kernel, strideH, strideW, padTop, padLeft, padBottom, padRight, output kind
    [Theory]
    [InlineData(1, 1, 7, 9, 3, 1, 1, 1, 1, 1, 1, 0)]
    [InlineData(3, 7, 11, 13, 3, 2, 2, 1, 1, 1, 1, 0)]
    [InlineData(1, 16, 24, 75, 3, 2, 1, 1, 1, 1, 1, 0)] // the OCR classifier's stride (2, 1), rows of two 32-pixel blocks and a tail
    [InlineData(3, 33, 9, 47, 5, 1, 1, 2, 2, 2, 2, 0)]
    [InlineData(1, 7, 13, 21, 5, 2, 1, 2, 2, 2, 2, 1)] // int8 output
    [InlineData(3, 16, 5, 8, 5, 1, 2, 2, 2, 2, 2, 2)] // float output, stride (1, 2)
    [InlineData(1, 33, 6, 5, 3, 1, 1, 0, 0, 0, 0, 0)] // no padding, a plane smaller than one block
    [InlineData(3, 7, 10, 17, 3, 2, 2, 0, 1, 1, 0, 0)] // asymmetric pads
    [InlineData(1, 16, 15, 66, 5, 1, 2, 1, 2, 3, 0, 0)] // stride 2 across: even pairs of columns
    [InlineData(3, 7, 9, 11, 3, 3, 3, 1, 1, 1, 1, 0)] // stride 3: the scalar loop
    [InlineData(1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 0)] // one pixel, all padding around it
    [InlineData(1, 8, 2, 150, 5, 1, 1, 2, 2, 2, 2, 0)] // the classifier's 5×5 on a 2-row plane, 150 wide: two 64-pixel zmm blocks (the Avx512BW path), a 32-pixel one and a tail
    public void Matches_the_integer_definition(int n, int c, int h, int w, int kernel, int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight, int outputKind)
    {
        foreach (var relu in new[] { 0, 1 })
        {
            var conv = new DepthwiseConv(n, c, h, w, kernel, strideH, strideW, padTop, padLeft, padBottom, padRight, outputKind, relu, Seed: n * 131 + c * 17 + w);
            var expected = conv.Reference();
            var actual = conv.Run();
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{KernelDispatch.Current}: relu {relu}: first difference at byte {FirstDifference(expected, actual)}");
            if (outputKind == 0 && relu == 0 && expected.Length > 200)
            {
                // The scales reach both ends of the byte range, so the saturation is checked too.
                Assert.Contains((byte)0, expected);
                Assert.Contains((byte)255, expected);
            }
        }
    }

    [Fact]
    public void Refuses_a_scratch_smaller_than_its_shape()
    {
        var scratch = new byte[Kernels.QConvDepthwiseScratchLength(3, 3, 4, 4, 1, 1) - 1];
        Assert.Throws<ArgumentException>(() => Kernels.QConvDepthwise(new byte[16], new byte[9], new int[1], new float[1], new byte[16], scratch,
            1, 1, 4, 4, 3, 3, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0));
    }

    private static int FirstDifference(byte[] a, byte[] b) => Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => a[i] != b[i], -1);

    private sealed record DepthwiseConv(int N, int C, int H, int W, int Kernel, int StrideH, int StrideW, int PadTop, int PadLeft, int PadBottom, int PadRight,
        int OutputKind, int Relu, int Seed)
    {
        private const int XZero = 117;
        private readonly Random _random = new(Seed);

        private int Taps => Kernel * Kernel;
        private int OH => (H + PadTop + PadBottom - Kernel) / StrideH + 1;
        private int OW => (W + PadLeft + PadRight - Kernel) / StrideW + 1;
        private int OutBytes => OutputKind == 2 ? 4 : 1;
        private int YZero => OutputKind == 1 ? -9 : 131;

        private byte[]? _x;
        private sbyte[]? _weights;
        private int[]? _bias;
        private float[]? _scale;

        private byte[] X => _x ??= Enumerable.Range(0, N * C * H * W).Select(_ => (byte)_random.Next(256)).ToArray();

        // The whole int8 range: the depthwise kernel's int16 pair sums hold it.
        private sbyte[] Weights => _weights ??= Enumerable.Range(0, C * Taps).Select(_ => (sbyte)_random.Next(-128, 128)).ToArray();

        private int[] Bias => _bias ??= Enumerable.Range(0, C).Select(_ => _random.Next(-20000, 20000)).ToArray();

        // From well inside the byte range to far past it (saturating at both ends).
        private float[] Scale => _scale ??= Enumerable.Range(0, C).Select(o => (o % 2 == 0 ? 1e-3f : 2e-4f) * (1 + _random.Next(8))).ToArray();

        public byte[] Run()
        {
            // The kernel takes QConv's bias: −xZero · Σ w folded in (its sums run over x with the zero point as padding).
            var bias = Enumerable.Range(0, C).Select(o => Bias[o] - XZero * Enumerable.Range(0, Taps).Sum(t => Weights[o * Taps + t])).ToArray();
            var y = new byte[N * C * OH * OW * OutBytes];
            var scratch = new byte[N * Kernels.QConvDepthwiseScratchLength(Kernel, Kernel, OH, OW, StrideH, StrideW)];
            Kernels.QConvDepthwise(X, (byte[])(Array)Weights, bias, Scale, y, scratch, N, C, H, W, Kernel, Kernel, OH, OW, PadTop, PadLeft, StrideH, StrideW,
                XZero, OutputKind, YZero, Relu);
            return y;
        }

        public byte[] Reference()
        {
            var plane = OH * OW;
            var y = new byte[N * C * plane * OutBytes];
            for (var image = 0; image < N; image++)
            {
                for (var ch = 0; ch < C; ch++)
                {
                    for (var p = 0; p < plane; p++)
                    {
                        var acc = Bias[ch];
                        for (var t = 0; t < Taps; t++)
                        {
                            var iy = p / OW * StrideH - PadTop + t / Kernel;
                            var ix = p % OW * StrideW - PadLeft + t % Kernel;
                            var x = (uint)iy < (uint)H && (uint)ix < (uint)W ? X[((image * C + ch) * H + iy) * W + ix] : XZero;
                            acc += (x - XZero) * Weights[ch * Taps + t];
                        }

                        Write(y, (image * C + ch) * plane + p, (float)acc * Scale[ch]);
                    }
                }
            }

            return y;
        }

        private void Write(byte[] y, int index, float v) => QuantizedOutputReference.Write(y, index, v, OutputKind, Relu, YZero);
    }
}

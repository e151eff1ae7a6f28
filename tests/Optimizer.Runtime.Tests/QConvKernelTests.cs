using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// <see cref="Kernels.QConv"/> against a plain-loop convolution with the same requantization,
/// byte for byte: the pixel-lane kernel on this machine's int8 path (the vpermi2b gather on small
/// planes where AVX-512 VBMI is, 16-byte row segments where rows are whole blocks (stride 2: the even bytes of 32; a 1×1
/// convolution's planes read in place), the im2col rows elsewhere; whole blocks requantized from the tile's registers
/// on the AVX-VNNI and AVX2 tiles, a partial last block by the epilogue), odd channel counts, padding, stride,
/// dilation, batch 1/5/64, every output kind, Relu, and the fused 2×2 pool (in the epilogue for
/// widths 2/4/8, else pooled afterwards) and 1×2 pool (pooled afterwards, flat or row by row). Compiler.Tests' IsaPathTests run the quantized CNNs on
/// every other int8 path in child processes and require the same bytes.
/// </summary>
public class QConvKernelTests
{
    // n, c, h, w, m, kernel, pad, stride, dilation, output kind, pooled rows (0: no pool, 2: 2×2/2, 1: 1×2/1×2)
    [Theory]
    [InlineData(1, 1, 8, 8, 16, 3, 1, 1, 1, 0, 2)] // the digits CNN's first conv: k = 9, pooled in the epilogue
    [InlineData(5, 16, 4, 4, 32, 3, 1, 1, 1, 0, 2)] // its second conv
    [InlineData(64, 16, 4, 4, 32, 3, 1, 1, 1, 0, 0)]
    [InlineData(64, 3, 9, 7, 5, 3, 1, 2, 1, 0, 0)] // odd channels, stride 2, a partial pixel block
    [InlineData(5, 7, 6, 10, 13, 3, 0, 1, 1, 1, 0)] // int8 output, no padding
    [InlineData(5, 3, 5, 5, 6, 2, 1, 1, 1, 2, 0)] // float output, even kernel
    [InlineData(1, 24, 20, 12, 33, 3, 1, 1, 1, 0, 2)] // a large plane: im2col rows; width 12 pools after the conv
    [InlineData(5, 2, 8, 8, 4, 3, 2, 1, 2, 0, 0)] // dilation 2
    [InlineData(2, 24, 6, 32, 24, 3, 1, 1, 1, 0, 0)] // rows of two 16-pixel blocks: row segments
    [InlineData(1, 20, 9, 16, 11, 3, 1, 1, 1, 2, 0)] // row segments, float output
    [InlineData(1, 24, 20, 8, 20, 3, 1, 1, 1, 0, 2)] // rows 8 wide, planes too large for the gather: each block is two rows' segments
    [InlineData(3, 40, 35, 6, 12, 3, 0, 1, 1, 0, 0)] // rows 4 wide, a partial last block: four rows' segments, read past the last row
    [InlineData(5, 5, 7, 7, 9, 3, 1, 1, 1, 0, 2)] // odd output size: pooled after the conv, floor
    [InlineData(1, 48, 34, 16, 48, 3, 0, 1, 1, 0, 1)] // 1×2 pool, even width: one flat run of pairs, vectorized
    [InlineData(1, 1, 8, 8, 16, 3, 1, 1, 1, 0, 1)] // 1×2 where 2×2 would pool in the epilogue: pooled after the conv
    [InlineData(5, 5, 7, 7, 9, 3, 1, 1, 1, 0, 1)] // odd width: 1×2 pooled row by row, floor
    [InlineData(2, 24, 40, 34, 24, 3, 1, 1, 1, 0, 2)] // 2×2 after the conv on a wide plane: vectorized row pairs
    [InlineData(3, 9, 7, 36, 5, 3, 0, 1, 1, 0, 2)] // odd height, width 34: row pairs pooled plane by plane, floor
    [InlineData(2, 3, 8, 8, 7, 3, 1, 1, 1, 0, 2)] // 7 channels pooled in the epilogue: channel pairs, the last alone
    [InlineData(3, 4, 8, 2, 6, 3, 1, 1, 1, 0, 2)] // rows 2 wide pooled in the epilogue: a group of 4 channels and one of 2
    [InlineData(2, 3, 8, 4, 5, 3, 1, 1, 1, 0, 2)] // rows 4 wide, two blocks per plane, 5 channels: the last group of one
    [InlineData(3, 5, 3, 5, 7, 3, 1, 1, 1, 0, 0)] // planes of 15 bytes: plane shuffles, a partial block, the last planes read through the copy
    [InlineData(2, 3, 4, 4, 9, 3, 2, 1, 1, 1, 0)] // plane shuffles over three pixel blocks (6 × 6 output), int8 output
    [InlineData(2, 7, 4, 4, 5, 3, 1, 2, 1, 2, 0)] // plane shuffles with stride 2, k = 63 (a partial quad), float output
    [InlineData(1, 1, 2, 3, 4, 2, 0, 1, 1, 0, 0)] // an image of 6 bytes: every plane through the copy
    [InlineData(1, 3, 20, 64, 8, 3, 1, 2, 1, 0, 0)] // stride 2, rows of two blocks: the even bytes of 32-byte row segments (the OCR classifier's first conv)
    [InlineData(2, 3, 9, 96, 5, 3, 0, 2, 1, 1, 0)] // stride 2, no padding, an odd plane height, int8 output
    [InlineData(1, 8, 6, 32, 24, 1, 0, 1, 1, 0, 0)] // 1×1: the segments read from the image itself, no padded copy
    [InlineData(2, 5, 3, 16, 7, 1, 0, 1, 1, 2, 0)] // 1×1 from the image, k = 5 (a partial quad), float output
    public void Matches_the_plain_loop_convolution(int n, int c, int h, int w, int m, int kernel, int pad, int stride, int dilation, int outputKind, int poolRows)
    {
        foreach (var relu in outputKind == 0 ? new[] { 0, 1 } : [0])
        {
            var conv = new QuantizedConv(n, c, h, w, m, kernel, pad, stride, dilation, outputKind, relu, Seed: n * 131 + c * 17 + m);
            var expected = conv.Reference(poolRows);
            var actual = conv.Run(poolRows);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{KernelDispatch.Current}: relu {relu}: first difference at byte {FirstDifference(expected, actual)}");
        }
    }

    /// <summary>
    /// The epilogue pools the requantized bytes, so a negative scale (the largest sum is then the
    /// smallest byte) or a zero one pools like any other: a kernel that pooled the int32 sums first
    /// (exact only while the requantization never decreases) must fail here.
    /// </summary>
    [Theory]
    [InlineData(3, 2, 8, 8, 9)] // rows 8 wide
    [InlineData(2, 3, 8, 4, 7)] // rows 4 wide
    [InlineData(2, 4, 8, 2, 6)] // rows 2 wide
    public void Pools_in_the_epilogue_with_negative_and_zero_scales(int n, int c, int h, int w, int m)
    {
        foreach (var relu in new[] { 0, 1 })
        {
            var conv = new QuantizedConv(n, c, h, w, m, 3, 1, 1, 1, 0, relu, Seed: n * 7 + m, SignedScales: true);
            var expected = conv.Reference(2);
            var actual = conv.Run(2);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{KernelDispatch.Current}: relu {relu}: first difference at byte {FirstDifference(expected, actual)}");
        }
    }

    internal static int FirstDifference(byte[] a, byte[] b) => Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => a[i] != b[i], -1);

    /// <summary>A random quantized convolution (or one with <paramref name="FixedWeights"/>, <c>[m, k]</c>), run by the kernel and by plain loops; <see cref="QConvBatchedKernelTests"/> shares it.</summary>
    internal sealed record QuantizedConv(int N, int C, int H, int W, int M, int Kernel, int Pad, int Stride, int Dilation, int OutputKind, int Relu, int Seed,
        bool SignedScales = false, sbyte[]? FixedWeights = null)
    {
        public const int InputZero = 3;
        private const int XZero = InputZero, YZero = 7;
        private readonly Random _random = new(Seed);

        public int K => C * Kernel * Kernel;
        public int OH => (H + 2 * Pad - Dilation * (Kernel - 1) - 1) / Stride + 1;
        public int OW => (W + 2 * Pad - Dilation * (Kernel - 1) - 1) / Stride + 1;
        private int OutBytes => OutputKind == 2 ? 4 : 1;

        private byte[]? _x;
        private sbyte[]? _weights;
        private int[]? _bias;
        private float[]? _scale;

        private byte[] X => _x ??= Enumerable.Range(0, N * C * H * W).Select(_ => (byte)_random.Next(256)).ToArray();

        // Within the pair-sum bound every int8 path shares (|b₀| + |b₁| ≤ 128).
        /// <summary>The ONNX weights <c>[m, c, kh, kw]</c>, bias (with <c>−xZero · Σ w</c>, as the compiler folds it) and scales.</summary>
        public sbyte[] WeightValues => Weights;

        public int[] BiasValues => Bias;

        public float[] ScaleValues => Scale;

        private sbyte[] Weights => _weights ??= FixedWeights ?? Enumerable.Range(0, M * K).Select(_ => (sbyte)_random.Next(-64, 64)).ToArray();

        private int[] Bias => _bias ??= Enumerable.Range(0, M).Select(_ => _random.Next(-20000, 20000)).ToArray();

        // With SignedScales every third channel's scale is negative and every fourth's zero (the rest positive).
        private float[] Scale => _scale ??= Enumerable.Range(0, M)
            .Select(o => (SignedScales && o % 4 == 3 ? 0 : SignedScales && o % 3 == 1 ? -1 : 1) * 1e-4f * (1 + _random.Next(40))).ToArray();

        private static readonly int[] PoolFlags = [0, Kernels.QConvPooledPairs, Kernels.QConvPooled];

        /// <summary>
        /// The kernel's output, given the batched path's tap-major weights and pixel tables (<paramref name="batched"/>; empty: none),
        /// by default those the compiler would emit (<see cref="BatchedOperands"/>).
        /// </summary>
        public byte[] Run(int poolRows, (byte[] TapMajor, byte[] Tables)? batched = null)
        {
            var packed = PackedWeights();
            var y = new byte[N * M * (poolRows > 0 ? OH / poolRows * (OW / 2) : OH * OW) * OutBytes];
            var scratch = new byte[N * Kernels.QConvScratchLength(C, Kernel, Kernel, OH, OW)];
            var (tapMajor, tables) = batched ?? BatchedOperands();
            Kernels.QConv(X, packed, Bias, Scale, y, scratch, tapMajor, tables,
                N, C, H, W, M, Kernel, Kernel, OH, OW, Pad, Pad, Stride, Stride, Dilation, Dilation, XZero, OutputKind, YZero, Relu | PoolFlags[poolRows]);
            return y;
        }

        /// <summary>No batched weights: the step of a program compiled before them, or of a convolution they do not fit.</summary>
        public static (byte[] TapMajor, byte[] Tables) NoBatchedOperands => ([], []);

        /// <summary>
        /// What the compiler emits beside the packed weights, by the same runtime functions it calls: <see cref="Kernels.PackInt8TapMajor"/>
        /// and <see cref="Kernels.PackQConvPixelTables"/> where the batched path takes the shape and the tap-major pairs fit, else none.
        /// </summary>
        public (byte[] TapMajor, byte[] Tables) BatchedOperands()
        {
            var tapMajor = new byte[Kernels.PackedInt8TapMajorLength(C, M, Kernel, Kernel)];
            if (!Kernels.QConvBatchable(C, OH, OW, OutputKind) || !Kernels.PackInt8TapMajor(Weights, tapMajor, C, M, Kernel, Kernel))
            {
                return NoBatchedOperands;
            }

            var tables = new byte[Kernels.QConvPixelTablesLength(C, M, Kernel, Kernel, OH, OW)];
            Kernels.PackQConvPixelTables(tapMajor, Bias, Scale, tables, C, H, W, M, Kernel, Kernel, OH, OW, Pad, Pad, Stride, Stride, Dilation, Dilation, XZero);
            return (tapMajor, tables);
        }

        private byte[] PackedWeights()
        {
            var packed = new byte[Kernels.PackedInt8BLength(K, M)];
            Kernels.PackInt8B(Weights, packed, K, M, transB: 1);
            return packed;
        }

        public byte[] Reference(int poolRows)
        {
            var plane = OH * OW;
            var y = new byte[N * M * plane * OutBytes];
            for (var image = 0; image < N; image++)
            {
                for (var o = 0; o < M; o++)
                {
                    for (var p = 0; p < plane; p++)
                    {
                        var acc = Bias[o];
                        for (var k = 0; k < K; k++)
                        {
                            acc += Input(image, p, k) * Weights[o * K + k];
                        }

                        Write(y, (image * M + o) * plane + p, (float)acc * Scale[o]);
                    }
                }
            }

            return poolRows > 0 ? Pool(y, poolRows) : y;
        }

        // The im2col value of pixel p at k: the input byte, or the zero point in the padding.
        private int Input(int image, int p, int k)
        {
            var (ci, ky, kx) = (k / (Kernel * Kernel), k / Kernel % Kernel, k % Kernel);
            var iy = p / OW * Stride - Pad + ky * Dilation;
            var ix = p % OW * Stride - Pad + kx * Dilation;
            return (uint)iy < (uint)H && (uint)ix < (uint)W ? X[((image * C + ci) * H + iy) * W + ix] : XZero;
        }

        private void Write(byte[] y, int index, float v) => QuantizedOutputReference.Write(y, index, v, OutputKind, Relu, YZero);

        private byte[] Pool(byte[] y, int rows)
        {
            var (ph, pw) = (OH / rows, OW / 2);
            var pooled = new byte[N * M * ph * pw];
            for (var plane = 0; plane < N * M; plane++)
            {
                for (var py = 0; py < ph; py++)
                {
                    for (var px = 0; px < pw; px++)
                    {
                        var top = plane * OH * OW + rows * py * OW + 2 * px;
                        var bottom = top + (rows - 1) * OW;
                        pooled[(plane * ph + py) * pw + px] = Math.Max(Math.Max(y[top], y[top + 1]), Math.Max(y[bottom], y[bottom + 1]));
                    }
                }
            }

            return pooled;
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>Bytes of scratch one image of a <see cref="QConvDepthwise"/> needs (one channel's int16 pair plane and int32 sums).</summary>
    public static int QConvDepthwiseScratchLength(int kh, int kw, int oh, int ow, int strideH, int strideW) =>
        QDepthwiseLayout.Of(kh, kw, oh, ow, strideH, strideW).Length;

    /// <summary>
    /// Quantized depthwise convolution (group = channels, one output channel per group, no dilation), NCHW uint8 in:
    /// per channel <c>acc = Σ x·w + bias</c> over the window padded with <paramref name="xZero"/> (the bias already holds
    /// <c>−xZero · Σ w</c>), requantized as <see cref="QConv"/> does: uint8 (<paramref name="outputKind"/> 0), int8 (1) or
    /// float32 (2); <paramref name="act"/> 1 clamps below at the zero point (Relu). Weights are int8 <c>[c, kh, kw]</c>.
    /// On AVX2 (horizontal stride 1 or 2) each channel is first widened to int16 pairs so two taps of eight output pixels
    /// are one <c>vpmaddwd</c> (u8·s8 products fit int16, their pair sums int32: exact, nothing saturates);
    /// elsewhere a scalar loop gives the same sums. Scratch: <c>n · QConvDepthwiseScratchLength</c> bytes. Images run in parallel.
    /// </summary>
    public static unsafe void QConvDepthwise(ReadOnlySpan<byte> x, ReadOnlySpan<byte> weights, ReadOnlySpan<int> bias, ReadOnlySpan<float> scale,
        Span<byte> y, Span<byte> scratch, int n, int c, int h, int w, int kh, int kw, int oh, int ow, int padTop, int padLeft, int strideH, int strideW,
        int xZero, int outputKind, int yZero, int act)
    {
        var shape = new ConvShape(c, h, w, c, kh, kw, oh, ow, padTop, padLeft, strideH, strideW, 1, 1, c);
        var layout = QDepthwiseLayout.Of(kh, kw, oh, ow, strideH, strideW);
        var outBytes = outputKind == 2 ? 4 : 1;
        if (scratch.Length < (long)n * layout.Length || y.Length < (long)n * c * shape.P * outBytes || x.Length < (long)n * c * h * w
            || weights.Length < c * kh * kw || bias.Length < c || scale.Length < c)
        {
            throw new ArgumentException("A quantized depthwise convolution's operands are smaller than its shape.");
        }

        fixed (byte* px = x, pw = weights, py = y, ps = scratch)
        fixed (int* pbias = bias)
        fixed (float* pscale = scale)
        {
            var job = new QDepthwiseJob(shape, layout, px, (sbyte*)pw, pbias, pscale, py, ps, xZero, outputKind, yZero, act);
            if (n > 1 && KernelDispatch.MaxThreads > 1)
            {
                Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = KernelDispatch.MaxThreads }, i => job.RunImage(i, i));
            }
            else
            {
                for (var i = 0; i < n; i++)
                {
                    job.RunImage(i, 0);
                }
            }
        }
    }

    /// <summary>
    /// One channel's place in an image's scratch. The pair plane is the padded input as int32 lanes of two int16
    /// columns, <see cref="Rows"/> × <see cref="Width"/>: at horizontal stride 1 lane k holds padded columns (k, k+1),
    /// at stride 2 (2k, 2k+1), so taps (2t, 2t+1) of output pixels ox… are lanes ox + t·<see cref="PairStep"/>… of one
    /// contiguous load. Then the output plane's int32 sums.
    /// </summary>
    private readonly record struct QDepthwiseLayout(int Rows, int Width, int TapPairs, int PairStep, int SumsOffset, int Length)
    {
        /// <summary>Sums past the plane that the last 8-pixel block writes and the 32-pixel requantization reads.</summary>
        private const int SumsSlack = 32;

        public static QDepthwiseLayout Of(int kh, int kw, int oh, int ow, int strideH, int strideW)
        {
            var tapPairs = (kw + 1) / 2;
            var pairStep = strideW == 1 ? 2 : 1;
            var rows = (oh - 1) * strideH + kh;
            // Every 8-pixel block of a row reads 8 lanes from each tap pair's start; whole 8-lane vectors fill the rows.
            var width = ((ow + 7) / 8 * 8 + (tapPairs - 1) * pairStep + 7) / 8 * 8;
            var sumsOffset = rows * width * 4;
            return new(rows, width, tapPairs, pairStep, sumsOffset, sumsOffset + (oh * ow + SumsSlack) * 4);
        }
    }

    private readonly unsafe struct QDepthwiseJob(ConvShape s, QDepthwiseLayout layout, byte* x, sbyte* weights, int* bias, float* scale, byte* y, byte* scratch,
        int xZero, int outputKind, int yZero, int act)
    {
        /// <summary>Image <paramref name="image"/>, with the scratch of image <paramref name="slot"/>.</summary>
        [SkipLocalsInit]
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void RunImage(int image, int slot)
        {
            var area = scratch + (long)slot * layout.Length;
            var sums = (int*)(area + layout.SumsOffset);
            var pairs = Avx2.IsSupported && s.StrideW <= 2;
            var weightPairs = stackalloc Vector256<short>[s.KH * layout.TapPairs];
            var rowSums = stackalloc int[s.KH];
            var outBytes = outputKind == 2 ? 4 : 1;
            for (var ch = 0; ch < s.C; ch++)
            {
                var plane = x + ((long)image * s.C + ch) * s.H * s.W;
                var taps = weights + (long)ch * s.KH * s.KW;
                if (pairs)
                {
                    FillPairPlane(plane, (int*)area);
                    PairSums((int*)area, taps, weightPairs, rowSums, sums);
                }
                else
                {
                    ScalarSums(plane, taps, sums);
                }

                Requantize(sums, bias[ch], scale[ch], y + ((long)image * s.C + ch) * s.P * outBytes);
            }
        }

        /// <summary>
        /// The channel's padded input (the zero point left and right of the plane) as the pair plane, straight from
        /// its bytes (an int16 row stored and reloaded unaligned would stall on store forwarding); the rows above and below
        /// the plane are never read (<see cref="PairSums"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void FillPairPlane(byte* plane, int* pairs)
        {
            // Eight lanes from one 8-byte pair of loads (stride 1: columns c…c+8) or one 16-byte load (stride 2: c…c+15).
            var stride = s.StrideW;
            var span = stride == 1 ? 9 : 16;
            // The last lane whose eight lanes read only bytes of the row (−1 where the row is narrower than one vector reads).
            var lastVector = s.W >= span ? (s.W - span + s.PadLeft) / stride : -1;
            var padPair = xZero | xZero << 16;
            for (var iy = 0; iy < s.H && iy + s.PadTop < layout.Rows; iy++)
            {
                var src = plane + iy * s.W;
                var dst = pairs + (iy + s.PadTop) * layout.Width;
                var k = 0;
                for (; k < layout.Width && k * stride < s.PadLeft; k++)
                {
                    dst[k] = Column(src, k * stride - s.PadLeft) | Column(src, k * stride - s.PadLeft + 1) << 16;
                }

                if (k <= lastVector && lastVector + 8 <= layout.Width)
                {
                    for (; k < lastVector; k += 8)
                    {
                        Store8(src + k * stride - s.PadLeft, dst + k, stride);
                    }

                    // The row's last eight whole lanes, overlapping the previous store (same values).
                    Store8(src + lastVector * stride - s.PadLeft, dst + lastVector, stride);
                    k = lastVector + 8;
                }

                for (; k < layout.Width && k * stride - s.PadLeft < s.W; k++)
                {
                    dst[k] = Column(src, k * stride - s.PadLeft) | Column(src, k * stride - s.PadLeft + 1) << 16;
                }

                // Whole vectors (a call to Span.Fill per row cost more than the row's conversion); past the row they land on the next
                // row's start, filled after it, or (the last row) on the sums, written after the plane.
                for (; k < layout.Width; k += 8)
                {
                    Avx.Store(dst + k, Vector256.Create(padPair));
                }
            }
        }

        /// <summary>Eight pair lanes from the row's bytes at <paramref name="src"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store8(byte* src, int* dst, int stride)
        {
            var bytes = stride == 1
                ? Sse2.UnpackLow(Sse2.LoadScalarVector128((ulong*)src).AsByte(), Sse2.LoadScalarVector128((ulong*)(src + 1)).AsByte())
                : Sse2.LoadVector128(src);
            Avx.Store((short*)dst, Avx2.ConvertToVector256Int16(bytes));
        }

        private int Column(byte* src, int column) => (uint)column < (uint)s.W ? src[column] : xZero;

        /// <summary>
        /// Each output pixel's Σ x·w from the pair plane, one output row at a time: 32 pixels (four sums), then 8. A kernel row
        /// on a padding row above or below the plane adds <c>xZero · Σ</c> of its weights to every pixel: that constant starts
        /// the sums and the row is skipped (on the OCR models' planes of 2–3 rows, most of a 5×5 kernel).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PairSums(int* pairs, sbyte* taps, Vector256<short>* weightPairs, int* rowSums, int* sums)
        {
            var tapPairs = layout.TapPairs;
            for (var i = 0; i < s.KH; i++)
            {
                var rowSum = 0;
                for (var j = 0; j < s.KW; j++)
                {
                    rowSum += taps[i * s.KW + j];
                }

                rowSums[i] = xZero * rowSum;

                for (var t = 0; t < tapPairs; t++)
                {
                    // Low int16 of a lane meets tap 2t, the high one tap 2t + 1 (0 past an odd kernel's end).
                    var w0 = taps[i * s.KW + 2 * t];
                    var w1 = 2 * t + 1 < s.KW ? taps[i * s.KW + 2 * t + 1] : 0;
                    weightPairs[i * tapPairs + t] = Vector256.Create((ushort)w0 + (w1 << 16)).AsInt16();
                }
            }

            var (width, step, ow, whole) = (layout.Width, layout.PairStep, s.OW, s.OW / 32 * 32);
            // AVX-512 without AVX-VNNI (Zen 4's int8 path): 64 pixels per zmm block first.
            var whole64 = KernelDispatch.Current.Int8Gemm == KernelPath.Avx512BW ? s.OW / 64 * 64 : 0;
            for (var oy = 0; oy < s.OH; oy++)
            {
                // Kernel rows first..end lie on the plane; the others on padding, whose sum starts the row's sums.
                var top = oy * s.StrideH;
                var first = Math.Max(0, s.PadTop - top);
                var end = Math.Min(s.KH, s.H + s.PadTop - top);
                var padding = 0;
                for (var i = 0; i < s.KH; i++)
                {
                    padding += i < first || i >= end ? rowSums[i] : 0;
                }

                var rows = pairs + (top + first) * width;
                var weightRows = weightPairs + first * tapPairs;
                var dst = sums + oy * ow;
                var start = Vector256.Create(padding);
                var kernelRows = end - first;
                for (var ox = 0; ox < whole64; ox += 64)
                {
                    Sums64(rows + ox, weightRows, kernelRows, tapPairs, width, step, start, dst + ox);
                }

                for (var ox = whole64; ox < whole; ox += 32)
                {
                    Sums32(rows + ox, weightRows, kernelRows, tapPairs, width, step, start, dst + ox);
                }

                // The last 8-pixel block spills past the row onto the next row's first block, written after it (or the slack).
                for (var ox = whole; ox < ow; ox += 8)
                {
                    Sums8(rows + ox, weightRows, kernelRows, tapPairs, width, step, start, dst + ox);
                }
            }
        }

        /// <summary>32 pixels of one output row: <paramref name="kernelRows"/> plane rows from <paramref name="row"/>, each with its tap pairs.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Sums32(int* row, Vector256<short>* weights, int kernelRows, int tapPairs, int width, int step, Vector256<int> start, int* dst)
        {
            Vector256<int> a0 = start, a1 = start, a2 = start, a3 = start;
            if (tapPairs is 2 or 3)
            {
                // The 3×3 and 5×5 kernels: a kernel row's tap pairs unrolled (the loop's own work was a fifth of the row's).
                var stride = 2 * step;
                var third = tapPairs == 3;
                for (var i = 0; i < kernelRows; i++, row += width, weights += tapPairs)
                {
                    var p = (short*)row;
                    var (w0, w1) = (weights[0], weights[1]);
                    var q = p + stride;
                    a0 = Avx2.Add(a0, Avx2.Add(Avx2.MultiplyAddAdjacent(Avx.LoadVector256(p), w0), Avx2.MultiplyAddAdjacent(Avx.LoadVector256(q), w1)));
                    a1 = Avx2.Add(a1, Avx2.Add(Avx2.MultiplyAddAdjacent(Avx.LoadVector256(p + 16), w0), Avx2.MultiplyAddAdjacent(Avx.LoadVector256(q + 16), w1)));
                    a2 = Avx2.Add(a2, Avx2.Add(Avx2.MultiplyAddAdjacent(Avx.LoadVector256(p + 32), w0), Avx2.MultiplyAddAdjacent(Avx.LoadVector256(q + 32), w1)));
                    a3 = Avx2.Add(a3, Avx2.Add(Avx2.MultiplyAddAdjacent(Avx.LoadVector256(p + 48), w0), Avx2.MultiplyAddAdjacent(Avx.LoadVector256(q + 48), w1)));
                    if (third)
                    {
                        var w2 = weights[2];
                        var r = q + stride;
                        a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(r), w2));
                        a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(r + 16), w2));
                        a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(r + 32), w2));
                        a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(r + 48), w2));
                    }
                }

                Avx.Store(dst, a0);
                Avx.Store(dst + 8, a1);
                Avx.Store(dst + 16, a2);
                Avx.Store(dst + 24, a3);
                return;
            }

            for (var i = 0; i < kernelRows; i++, row += width, weights += tapPairs)
            {
                var p = (short*)row;
                for (var t = 0; t < tapPairs; t++, p += 2 * step)
                {
                    var w = weights[t];
                    a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(p), w));
                    a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(p + 16), w));
                    a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(p + 32), w));
                    a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(p + 48), w));
                }
            }

            Avx.Store(dst, a0);
            Avx.Store(dst + 8, a1);
            Avx.Store(dst + 16, a2);
            Avx.Store(dst + 24, a3);
        }

        /// <summary>64 pixels of one output row on zmm, as <see cref="Sums32"/> (the same int32 sums).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Sums64(int* row, Vector256<short>* weights, int kernelRows, int tapPairs, int width, int step, Vector256<int> start, int* dst)
        {
            var first = Vector512.Create(start, start);
            Vector512<int> a0 = first, a1 = first, a2 = first, a3 = first;
            for (var i = 0; i < kernelRows; i++, row += width, weights += tapPairs)
            {
                var p = (short*)row;
                for (var t = 0; t < tapPairs; t++, p += 2 * step)
                {
                    var w = Vector512.Create(weights[t], weights[t]);
                    a0 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.LoadVector512(p), w);
                    a1 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.LoadVector512(p + 32), w);
                    a2 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.LoadVector512(p + 64), w);
                    a3 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.LoadVector512(p + 96), w);
                }
            }

            Avx512Ops.Store(dst, a0);
            Avx512Ops.Store(dst + 16, a1);
            Avx512Ops.Store(dst + 32, a2);
            Avx512Ops.Store(dst + 48, a3);
        }

        /// <summary>8 pixels of one output row, as <see cref="Sums32"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Sums8(int* row, Vector256<short>* weights, int kernelRows, int tapPairs, int width, int step, Vector256<int> start, int* dst)
        {
            var a = start;
            for (var i = 0; i < kernelRows; i++, row += width, weights += tapPairs)
            {
                var p = (short*)row;
                for (var t = 0; t < tapPairs; t++, p += 2 * step)
                {
                    a = Avx2.Add(a, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(p), weights[t]));
                }
            }

            Avx.Store(dst, a);
        }

        /// <summary>Each output pixel's Σ x·w read straight from the input, the zero point outside it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ScalarSums(byte* plane, sbyte* taps, int* sums)
        {
            for (var oy = 0; oy < s.OH; oy++)
            {
                for (var ox = 0; ox < s.OW; ox++)
                {
                    var acc = 0;
                    for (var i = 0; i < s.KH; i++)
                    {
                        var iy = oy * s.StrideH + i - s.PadTop;
                        for (var j = 0; j < s.KW; j++)
                        {
                            var ix = ox * s.StrideW + j - s.PadLeft;
                            var v = iy >= 0 && iy < s.H && ix >= 0 && ix < s.W ? plane[iy * s.W + ix] : xZero;
                            acc += v * taps[i * s.KW + j];
                        }
                    }

                    sums[oy * s.OW + ox] = acc;
                }
            }
        }

        /// <summary>One channel's sums to its output plane: <c>v = (acc + bias) · scale</c>, then as <see cref="QConv"/>'s epilogue stores it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Requantize(int* sums, int channelBias, float channelScale, byte* dst)
        {
            var count = s.P;
            if (outputKind == 2)
            {
                var floats = (float*)dst;
                var p = 0;
                for (; p + 8 <= count; p += 8)
                {
                    var v = Vector256.ConvertToSingle(Vector256.Load(sums + p) + Vector256.Create(channelBias)) * Vector256.Create(channelScale);
                    (act == 1 ? Vector256.Max(v, Vector256<float>.Zero) : v).Store(floats + p);
                }

                for (; p < count; p++)
                {
                    var v = (float)(sums[p] + channelBias) * channelScale;
                    floats[p] = act == 1 ? Math.Max(v, 0f) : v;
                }

                return;
            }

            float lo = outputKind == 1 ? -128 : 0, hi = outputKind == 1 ? 127 : 255;
            if (act == 1)
            {
                lo = Math.Max(lo, yZero);
            }

            if (Avx2.IsSupported)
            {
                var requantize = new RequantizeAvx2(lo, hi, yZero, signed: outputKind == 1);
                var (b, sc) = (Vector256.Create(channelBias), Vector256.Create(channelScale));
                var tile = stackalloc byte[32];
                for (var p = 0; p < count; p += 32)
                {
                    var bytes = requantize.Pack(
                        Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(sums + p), b)), sc),
                        Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(sums + p + 8), b)), sc),
                        Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(sums + p + 16), b)), sc),
                        Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(Avx.LoadVector256(sums + p + 24), b)), sc));
                    if (p + 32 <= count)
                    {
                        Avx.Store(dst + p, bytes);
                    }
                    else
                    {
                        Avx.Store(tile, bytes);
                        Unsafe.CopyBlockUnaligned(dst + p, tile, (uint)(count - p));
                    }
                }

                return;
            }

            for (var p = 0; p < count; p++)
            {
                var v = Math.Clamp(MathF.Round((float)(sums[p] + channelBias) * channelScale) + yZero, lo, hi);
                dst[p] = outputKind == 1 ? (byte)(sbyte)(int)v : (byte)(int)v;
            }
        }
    }
}

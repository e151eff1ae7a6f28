using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>The most input channels a convolution may have to run as <see cref="FewChannelsJob"/>: an image's RGB or RGBA.</summary>
    internal const int FewChannelsMaxInput = 4;

    /// <summary>Output pixels of one <see cref="FewChannelsTile"/>: two ymm per output channel.</summary>
    private const int FewChannelsPixels = 16;

    /// <summary>
    /// Where <see cref="FewChannelsJob"/> keeps the input rows one output row reads: per input
    /// channel a ring of KH rows (input row iy in slot <c>(iy + padTop) mod KH</c>, so each input
    /// row is copied once however many output rows read it), each split into StrideW phase rows of
    /// <see cref="Width"/> floats, phase p holding the padded columns p, p + strideW, … Every tap
    /// of a run of output pixels is then one contiguous load; the padding is zeros.
    /// </summary>
    private readonly record struct FewChannelsRing(int Channels, int Rows, int Phases, int Width)
    {
        public int RowFloats => Phases * Width;

        public int Length => Channels * Rows * RowFloats;

        // A row's last tile reads 16 pixels past its start, shifted by the taps' (KW − 1) / strideW columns.
        public static FewChannelsRing Of(in ConvShape s) =>
            new(s.C, s.KH, s.StrideW, (s.OW + FewChannelsPixels - 1) / FewChannelsPixels * FewChannelsPixels + (s.KW - 1) / s.StrideW);
    }

    /// <summary>
    /// Whether <see cref="FewChannelsJob"/> runs the convolution: a first layer over 2–4 channels
    /// with a 3×3 kernel, strides 1 or 2, on AVX2 + FMA, lines at least a tile wide, and its row
    /// rings fitting the im2col scratch it replaces. Im2col of such a layer writes 27 floats per
    /// pixel to multiply K = 27 rows; one channel (K = 9) stays on <see cref="ConvSmallK"/>.
    /// AVX-512 CPUs run the same ymm code (their fp32 path requires AVX2 + FMA): the layer is bound
    /// by the im2col this kernel skips, which a 512-bit GEMM does not shorten (and Zen 4 splits
    /// zmm FMAs in two); untimed there.
    /// </summary>
    private static bool RunsAsFewChannels(in ConvShape s, int scratchPerImage) =>
        KernelDispatch.Current.Fp32Gemm is KernelPath.Avx2Fma or KernelPath.Avx512F
        && s.Group == 1 && s.C is > 1 and <= FewChannelsMaxInput && s.KH == 3 && s.KW == 3
        && s.StrideH is 1 or 2 && s.StrideW is 1 or 2 && s.DilH == 1 && s.DilW == 1
        && s.OW >= FewChannelsPixels && FewChannelsRing.Of(s).Length <= scratchPerImage;

    /// <summary>
    /// A convolution over few input channels with no im2col: per output row, the input rows it
    /// reads are copied (once each, phase-split) into the row rings, then four output channels ×
    /// 16 pixels accumulate every tap in eight ymm, bias and activation applied before the one
    /// store. A lone image splits its rows over threads (a ring each in its scratch); a batch runs
    /// its images in parallel, each in its own scratch slot.
    /// </summary>
    private readonly unsafe struct FewChannelsJob(ConvShape s, float* x, float* weights, float* bias, float* y, float* scratch, int scratchPerImage,
        int act, float actMin, float actMax)
    {
        /// <summary>Multiply-adds below which a lone image stays on one thread (as <see cref="GemmJob"/> splits its panels).</summary>
        private const long ParallelThreshold = 1 << 21;

        public void Run(int n)
        {
            var threads = KernelDispatch.MaxThreads;
            if (n > 1 && threads > 1)
            {
                RunImagesInParallel(this, n, threads, s.OH, scratchPerImage);
                return;
            }

            // Row parts of at least eight rows, each with a ring of its own.
            var ringLength = FewChannelsRing.Of(s).Length;
            var parts = Math.Min(Math.Min(threads, s.OH / 8), scratchPerImage / ringLength);
            if (n == 1 && parts > 1 && (long)s.M * s.P * s.C * s.KH * s.KW >= ParallelThreshold)
            {
                RunRowsInParallel(this, parts, s.OH, ringLength);
                return;
            }

            for (var i = 0; i < n; i++)
            {
                RunRows(i, 0, s.OH, 0);
            }
        }

        // Apart so the closures are allocated only when the work is split.
        private static void RunImagesInParallel(FewChannelsJob job, int n, int threads, int rows, int slotLength) =>
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => job.RunRows(i, 0, rows, i * (long)slotLength));

        private static void RunRowsInParallel(FewChannelsJob job, int parts, int rows, int ringLength) =>
            Parallel.For(0, parts, part => job.RunRows(0, rows * part / parts, rows * (part + 1) / parts, (long)part * ringLength));

        /// <summary>Output rows [<paramref name="firstRow"/>, <paramref name="endRow"/>) of image <paramref name="image"/>, its row rings <paramref name="ringsAt"/> floats into the scratch.</summary>
        [SkipLocalsInit]
        private void RunRows(int image, int firstRow, int endRow, long ringsAt)
        {
            var rings = scratch + ringsAt;
            var ring = FewChannelsRing.Of(s);
            // The padding columns are zero for every row: cleared once, never overwritten.
            new Span<float>(rings, ring.Length).Clear();
            var slots = s.C * s.KH;
            var held = stackalloc int[slots];
            new Span<int>(held, slots).Fill(int.MinValue);
            var taps = s.C * s.KH * s.KW;
            var tapRows = stackalloc float*[taps];
            var tail = stackalloc float[FewChannelsPixels];
            var epilogue = new SmallKEpilogue(bias, act, actMin, actMax);
            var input = x + (long)image * s.C * s.H * s.W;
            var output = y + (long)image * s.M * s.P;
            for (var oy = firstRow; oy < endRow; oy++)
            {
                for (var c = 0; c < s.C; c++)
                {
                    for (var ky = 0; ky < s.KH; ky++)
                    {
                        // Any KH consecutive rows fall in distinct slots: a window never overwrites its own rows.
                        var slot = c * s.KH + (oy * s.StrideH + ky) % s.KH;
                        var iy = oy * s.StrideH - s.PadTop + ky;
                        var row = rings + (long)slot * ring.RowFloats;
                        if (held[slot] != iy)
                        {
                            FillFewChannelsRow(s, ring, (uint)iy < (uint)s.H ? input + ((long)c * s.H + iy) * s.W : null, row);
                            held[slot] = iy;
                        }

                        for (var kx = 0; kx < s.KW; kx++)
                        {
                            tapRows[(c * s.KH + ky) * s.KW + kx] = row + kx % s.StrideW * ring.Width + kx / s.StrideW;
                        }
                    }
                }

                var line = output + (long)oy * s.OW;
                for (var ox = 0; ox < s.OW; ox += FewChannelsPixels)
                {
                    var width = Math.Min(FewChannelsPixels, s.OW - ox);
                    for (var oc = 0; oc < s.M; oc += 4)
                    {
                        FewChannelsTile(tapRows, taps, weights + (long)oc * taps, Math.Min(4, s.M - oc), ox, line + (long)oc * s.P + ox, s.P, width, epilogue, oc, tail);
                    }
                }
            }
        }
    }

    /// <summary>Copies input row <paramref name="source"/> (null: a padding row) into the phase rows of <paramref name="row"/>; its padding columns stay zero.</summary>
    private static unsafe void FillFewChannelsRow(in ConvShape s, in FewChannelsRing ring, float* source, float* row)
    {
        if (source == null)
        {
            new Span<float>(row, ring.RowFloats).Clear();
            return;
        }

        for (var phase = 0; phase < ring.Phases; phase++)
        {
            // Phase column q holds padded column q · strideW + phase, input column ix = that − padLeft.
            var ix0 = phase - s.PadLeft;
            var first = ix0 >= 0 ? 0 : (-ix0 + s.StrideW - 1) / s.StrideW;
            var end = Math.Min(ring.Width, (s.W - ix0 + s.StrideW - 1) / s.StrideW);
            if (end <= first)
            {
                continue;
            }

            var start = ix0 + first * s.StrideW;
            if (s.StrideW == 1)
            {
                CopyFloats(source + start, row + first, end - first);
            }
            else
            {
                GatherEvenFloats(source + start, row + (long)phase * ring.Width + first, end - first, s.W - start);
            }
        }
    }

    /// <summary><c>destination[q] = source[2q]</c> for q below <paramref name="count"/>, reading no further than <paramref name="available"/> floats.</summary>
    private static unsafe void GatherEvenFloats(float* source, float* destination, int count, int available)
    {
        var q = 0;
        for (; q + 8 <= count && 2 * q + 16 <= available; q += 8)
        {
            var a = Avx.LoadVector256(source + 2 * q);
            var b = Avx.LoadVector256(source + 2 * q + 8);
            // a0 a2 b0 b2 | a4 a6 b4 b6, then the 64-bit pairs in order: a0 a2 a4 a6 b0 b2 b4 b6.
            var even = Avx.Shuffle(a, b, 0b10_00_10_00);
            Avx.Store(destination + q, Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle());
        }

        for (; q < count; q++)
        {
            destination[q] = source[2 * q];
        }
    }

    /// <summary>
    /// Up to four output channels (<paramref name="channels"/>) × 16 pixels from
    /// <paramref name="ox"/> of one output row; channels past the last re-read channel 0's weights
    /// and are not stored. The taps run in the weights' order (channel, ky, kx), then the bias.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void FewChannelsTile(float** tapRows, int taps, float* w, int channels, int ox, float* y, int p, int width,
        in SmallKEpilogue epilogue, int oc, float* tail)
    {
        float* w1 = channels > 1 ? w + taps : w, w2 = channels > 2 ? w + 2L * taps : w, w3 = channels > 3 ? w + 3L * taps : w;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (var t = 0; t < taps; t++)
        {
            var source = tapRows[t] + ox;
            var lo = Avx.LoadVector256(source);
            var hi = Avx.LoadVector256(source + 8);
            var v = Vector256.Create(w[t]);
            c00 = Fma.MultiplyAdd(v, lo, c00); c01 = Fma.MultiplyAdd(v, hi, c01);
            v = Vector256.Create(w1[t]);
            c10 = Fma.MultiplyAdd(v, lo, c10); c11 = Fma.MultiplyAdd(v, hi, c11);
            v = Vector256.Create(w2[t]);
            c20 = Fma.MultiplyAdd(v, lo, c20); c21 = Fma.MultiplyAdd(v, hi, c21);
            v = Vector256.Create(w3[t]);
            c30 = Fma.MultiplyAdd(v, lo, c30); c31 = Fma.MultiplyAdd(v, hi, c31);
        }

        StoreRow256(epilogue.Apply(c00, oc), epilogue.Apply(c01, oc), y, width, tail);
        if (channels > 1) StoreRow256(epilogue.Apply(c10, oc + 1), epilogue.Apply(c11, oc + 1), y + p, width, tail);
        if (channels > 2) StoreRow256(epilogue.Apply(c20, oc + 2), epilogue.Apply(c21, oc + 2), y + 2L * p, width, tail);
        if (channels > 3) StoreRow256(epilogue.Apply(c30, oc + 3), epilogue.Apply(c31, oc + 3), y + 3L * p, width, tail);
    }
}

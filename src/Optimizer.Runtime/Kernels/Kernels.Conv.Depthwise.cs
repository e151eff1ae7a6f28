using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Where a depthwise convolution's (one input channel per group) padded input plane lives in
    /// the conv's scratch: <see cref="Phases"/> planes of <see cref="Rows"/> × <see cref="Width"/>
    /// floats, phase <c>p</c> holding the padded columns <c>p, p + strideW, …</c>, so every kernel
    /// tap of a run of output pixels is one contiguous load whatever the horizontal stride. The
    /// padding is zeros, as in the im2col matrix, so no tap needs a bounds check.
    /// </summary>
    private readonly record struct DepthwisePlanes(int Rows, int Width, int Phases)
    {
        /// <summary>Floats past the planes that a row's last vector may read (and not store): one AVX-512 vector.</summary>
        private const int Slack = 16;

        public int PlaneFloats => Rows * Width;

        public int Length => Phases * PlaneFloats + Slack;

        public static DepthwisePlanes Of(in ConvShape s) => new(
            (s.OH - 1) * s.StrideH + (s.KH - 1) * s.DilH + 1,
            s.OW + (s.KW - 1) * s.DilW / s.StrideW,
            s.StrideW);
    }

    /// <summary>
    /// Whether <see cref="ConvDepthwise"/> runs the convolution: one input channel per group (any
    /// channel multiplier), a 256- or 512-bit fp32 path, and padded planes that fit one image's
    /// scratch (the im2col's, which is at least as large for every usual kernel and stride).
    /// Im2col would turn each group into a one-row GEMM: a tenth of the FMA rate.
    /// </summary>
    private static bool RunsAsDepthwise(in ConvShape s, int scratchPerImage) =>
        s.Group > 1 && s.CPerGroup == 1 && DepthwiseLanes != 0 && DepthwisePlanes.Of(s).Length <= scratchPerImage;

    /// <summary>Output pixels per accumulator on this CPU's fp32 path (0: the depthwise kernel does not run).</summary>
    private static int DepthwiseLanes => KernelDispatch.Current.Fp32Gemm switch
    {
        KernelPath.Avx512F => 16,
        KernelPath.Avx2Fma => 8,
        _ => 0,
    };

    /// <summary>
    /// Depthwise convolution: per image and output channel, its input plane is copied once into
    /// the zero-padded phase planes (in the image's scratch slot), then runs of
    /// <see cref="DepthwiseLanes"/> output pixels accumulate every tap in registers, four runs at a
    /// time (four independent FMA chains), bias and activation applied before the one store.
    /// The taps run in im2col order (ky, kx ascending, padding included), then the bias.
    /// </summary>
    private readonly unsafe struct DepthwiseJob(ConvShape s, float* x, float* weights, float* bias, float* y, float* scratch, int scratchPerImage,
        int act, float actMin, float actMax)
    {
        /// <summary>Images <paramref name="first"/>.. (<paramref name="count"/>) with the scratch of image <paramref name="slot"/>.</summary>
        [SkipLocalsInit]
        public void RunImages(int first, int count, int slot)
        {
            var planes = DepthwisePlanes.Of(s);
            var slotScratch = scratch + (long)slot * scratchPerImage;
            // The zeros sit at the same places for every channel: cleared once, never overwritten.
            new Span<float>(slotScratch, planes.Length).Clear();
            var taps = s.KH * s.KW;
            var offsets = stackalloc int[taps];
            for (var ky = 0; ky < s.KH; ky++)
            {
                for (var kx = 0; kx < s.KW; kx++)
                {
                    var column = kx * s.DilW;
                    offsets[ky * s.KW + kx] = column % s.StrideW * planes.PlaneFloats + ky * s.DilH * planes.Width + column / s.StrideW;
                }
            }

            var epilogue = new SmallKEpilogue(bias, act, actMin, actMax);
            var multiplier = s.MPerGroup;
            for (var image = first; image < first + count; image++)
            {
                for (var oc = 0; oc < s.M; oc++)
                {
                    if (oc % multiplier == 0)
                    {
                        FillDepthwisePlanes(s, planes, x + ((long)image * s.C + oc / multiplier) * s.H * s.W, slotScratch);
                    }

                    var run = new DepthwiseRun(slotScratch, offsets, taps, weights + (long)oc * taps, y + ((long)image * s.M + oc) * s.P, s.OW, s.StrideH * planes.Width);
                    if (DepthwiseLanes == 16)
                    {
                        run.Avx512(s.OH, epilogue, oc);
                    }
                    else
                    {
                        run.Avx2(s.OH, epilogue, oc);
                    }
                }
            }
        }
    }

    private static void RunDepthwiseInParallel(DepthwiseJob job, int n) =>
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = KernelDispatch.MaxThreads }, i => job.RunImages(i, 1, i));

    /// <summary>Copies one input plane into the interior of the phase planes (their padding stays zero).</summary>
    private static unsafe void FillDepthwisePlanes(in ConvShape s, in DepthwisePlanes planes, float* plane, float* scratch)
    {
        var firstRow = Math.Max(0, s.PadTop);
        var endRow = Math.Min(planes.Rows, s.H + s.PadTop);
        for (var phase = 0; phase < planes.Phases; phase++)
        {
            // Phase column q holds padded column q · strideW + phase, input column ix = that − padLeft.
            var ix0 = phase - s.PadLeft;
            var first = ix0 >= 0 ? 0 : (-ix0 + s.StrideW - 1) / s.StrideW;
            var end = Math.Min(planes.Width, (s.W - ix0 + s.StrideW - 1) / s.StrideW);
            if (end <= first)
            {
                continue;
            }

            var destination = scratch + (long)phase * planes.PlaneFloats;
            for (var r = firstRow; r < endRow; r++)
            {
                var source = plane + (long)(r - s.PadTop) * s.W + ix0;
                var row = destination + (long)r * planes.Width;
                if (s.StrideW == 1)
                {
                    CopyFloats(source + first, row + first, end - first);
                    continue;
                }

                for (var q = first; q < end; q++)
                {
                    row[q] = source[q * s.StrideW];
                }
            }
        }
    }

    /// <summary>One output channel's plane: <paramref name="ow"/> pixels per row, each row's source <paramref name="rowStride"/> floats below the last.</summary>
    private readonly unsafe struct DepthwiseRun(float* planes, int* offsets, int taps, float* w, float* y, int ow, int rowStride)
    {
        /// <summary>Runs of output pixels accumulated together: independent FMA chains.</summary>
        private const int Runs = 8;

        public void Avx512(int oh, in SmallKEpilogue epilogue, int channel)
        {
            var tile = stackalloc float[Runs * 16];
            var pending = stackalloc int[2 * Runs];
            var count = 0;
            for (var oy = 0; oy < oh; oy++)
            {
                for (var ox = 0; ox < ow; ox += 16)
                {
                    pending[2 * count] = oy;
                    pending[2 * count + 1] = ox;
                    if (++count == Runs)
                    {
                        Flush512(pending, count, tile, epilogue, channel);
                        count = 0;
                    }
                }
            }

            if (count > 0)
            {
                Flush512(pending, count, tile, epilogue, channel);
            }
        }

        public void Avx2(int oh, in SmallKEpilogue epilogue, int channel)
        {
            var tile = stackalloc float[Runs * 8];
            var pending = stackalloc int[2 * Runs];
            var count = 0;
            for (var oy = 0; oy < oh; oy++)
            {
                for (var ox = 0; ox < ow; ox += 8)
                {
                    pending[2 * count] = oy;
                    pending[2 * count + 1] = ox;
                    if (++count == Runs)
                    {
                        Flush256(pending, count, tile, epilogue, channel);
                        count = 0;
                    }
                }
            }

            if (count > 0)
            {
                Flush256(pending, count, tile, epilogue, channel);
            }
        }

        /// <summary>Source of run <paramref name="i"/> of <paramref name="pending"/> (runs past <paramref name="count"/> repeat the first; not stored).</summary>
        private float* Source(int* pending, int count, int i)
        {
            var j = i < count ? i : 0;
            return planes + (long)pending[2 * j] * rowStride + pending[2 * j + 1];
        }

        private void Flush512(int* pending, int count, float* tile, in SmallKEpilogue epilogue, int channel)
        {
            Accumulate8x512(pending, count, tile);
            for (var i = 0; i < count; i++)
            {
                var ox = pending[2 * i + 1];
                StoreRow512(epilogue.Apply(Avx512F.LoadVector512(tile + 16 * i), channel), y + (long)pending[2 * i] * ow + ox, Math.Min(16, ow - ox), tile + 16 * i);
            }
        }

        private void Flush256(int* pending, int count, float* tile, in SmallKEpilogue epilogue, int channel)
        {
            Accumulate8x256(pending, count, tile);
            for (var i = 0; i < count; i++)
            {
                var ox = pending[2 * i + 1];
                var width = Math.Min(8, ow - ox);
                var destination = y + (long)pending[2 * i] * ow + ox;
                var value = epilogue.Apply(Avx.LoadVector256(tile + 8 * i), channel);
                if (width == 8)
                {
                    Avx.Store(destination, value);
                    continue;
                }

                Avx.Store(tile + 8 * i, value);
                CopyTail(tile + 8 * i, destination, width);
            }
        }

        // The tap loops are apart, with the tile as their only output, so the JIT keeps the eight
        // accumulators in registers (see Accumulate8x32).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Accumulate8x512(int* pending, int count, float* tile)
        {
            float* s0 = Source(pending, count, 0), s1 = Source(pending, count, 1), s2 = Source(pending, count, 2), s3 = Source(pending, count, 3),
                s4 = Source(pending, count, 4), s5 = Source(pending, count, 5), s6 = Source(pending, count, 6), s7 = Source(pending, count, 7);
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            // Locals, not the struct's fields: the loop then reads them from registers.
            var tapOffsets = offsets;
            var weights = w;
            var tapCount = taps;
            for (var t = 0; t < tapCount; t++)
            {
                var offset = tapOffsets[t];
                var v = Vector512.Create(weights[t]);
                c0 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadVector512(s0 + offset), c0);
                c1 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadVector512(s1 + offset), c1);
                c2 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadVector512(s2 + offset), c2);
                c3 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadVector512(s3 + offset), c3);
                c4 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadVector512(s4 + offset), c4);
                c5 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadVector512(s5 + offset), c5);
                c6 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadVector512(s6 + offset), c6);
                c7 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadVector512(s7 + offset), c7);
            }

            var lanes = Vector512<float>.Count;
            c0.Store(tile);
            c1.Store(tile + lanes);
            c2.Store(tile + 2 * lanes);
            c3.Store(tile + 3 * lanes);
            c4.Store(tile + 4 * lanes);
            c5.Store(tile + 5 * lanes);
            c6.Store(tile + 6 * lanes);
            c7.Store(tile + 7 * lanes);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Accumulate8x256(int* pending, int count, float* tile)
        {
            float* s0 = Source(pending, count, 0), s1 = Source(pending, count, 1), s2 = Source(pending, count, 2), s3 = Source(pending, count, 3),
                s4 = Source(pending, count, 4), s5 = Source(pending, count, 5), s6 = Source(pending, count, 6), s7 = Source(pending, count, 7);
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            // Locals, not the struct's fields: the loop then reads them from registers.
            var tapOffsets = offsets;
            var weights = w;
            var tapCount = taps;
            for (var t = 0; t < tapCount; t++)
            {
                var offset = tapOffsets[t];
                var v = Vector256.Create(weights[t]);
                c0 = Fma.MultiplyAdd(v, Avx.LoadVector256(s0 + offset), c0);
                c1 = Fma.MultiplyAdd(v, Avx.LoadVector256(s1 + offset), c1);
                c2 = Fma.MultiplyAdd(v, Avx.LoadVector256(s2 + offset), c2);
                c3 = Fma.MultiplyAdd(v, Avx.LoadVector256(s3 + offset), c3);
                c4 = Fma.MultiplyAdd(v, Avx.LoadVector256(s4 + offset), c4);
                c5 = Fma.MultiplyAdd(v, Avx.LoadVector256(s5 + offset), c5);
                c6 = Fma.MultiplyAdd(v, Avx.LoadVector256(s6 + offset), c6);
                c7 = Fma.MultiplyAdd(v, Avx.LoadVector256(s7 + offset), c7);
            }

            var lanes = Vector256<float>.Count;
            c0.Store(tile);
            c1.Store(tile + lanes);
            c2.Store(tile + 2 * lanes);
            c3.Store(tile + 3 * lanes);
            c4.Store(tile + 4 * lanes);
            c5.Store(tile + 5 * lanes);
            c6.Store(tile + 6 * lanes);
            c7.Store(tile + 7 * lanes);
        }
    }
}

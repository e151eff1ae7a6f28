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
        /// <summary>Floats past the planes that a row's last vector may read (and not store): one AVX-512 vector, or an AVX2 row tile (<see cref="DepthwiseRowTilePixels"/>).</summary>
        private const int Slack = DepthwiseRowTilePixels;

        public int PlaneFloats => Rows * Width;

        public int Length => Phases * PlaneFloats + Slack;

        public static DepthwisePlanes Of(in ConvShape s) => new(
            (s.OH - 1) * s.StrideH + (s.KH - 1) * s.DilH + 1,
            s.OW + (s.KW - 1) * s.DilW / s.StrideW,
            s.StrideW);
    }

    /// <summary>
    /// Whether <see cref="DepthwiseJob"/> runs the convolution: one input channel per group (any
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
    /// The taps run in im2col order (ky, kx ascending), then the bias; kernel rows that read only padding (zeros) are skipped.
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

                    if (DepthwiseLanes == 8 && s.OW >= DepthwiseRowTileMinWidth)
                    {
                        DepthwiseRowTiles(s, slotScratch, offsets, weights + (long)oc * taps, y + ((long)image * s.M + oc) * s.P,
                            s.StrideH * planes.Width, epilogue, oc);
                        continue;
                    }

                    var run = new DepthwiseRun(s, slotScratch, offsets, weights + (long)oc * taps, y + ((long)image * s.M + oc) * s.P, s.OW, s.StrideH * planes.Width);
                    if (DepthwiseLanes == 16)
                    {
                        run.Run<ZmmLanes, Vector512<float>>(s.OH, epilogue, oc);
                    }
                    else
                    {
                        run.Run<YmmLanes, Vector256<float>>(s.OH, epilogue, oc);
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

                if (s.StrideW == 2)
                {
                    var start = ix0 + first * 2;
                    GatherEvenFloats(plane + (long)(r - s.PadTop) * s.W + start, row + first, end - first, s.W - start);
                    continue;
                }

                var stride = s.StrideW;
                for (var q = first; q < end; q++)
                {
                    row[q] = source[q * stride];
                }
            }
        }
    }

    /// <summary>One ISA width's vector operations, so <see cref="DepthwiseRun"/> is written once (the JIT compiles it per struct, calls inlined).</summary>
    private unsafe interface IDepthwiseLanes<TVector>
    {
        static abstract int Lanes { get; }

        static abstract TVector Splat(float value);

        static abstract TVector Load(float* source);

        static abstract TVector MultiplyAdd(TVector weight, TVector x, TVector sum);

        static abstract void Store(TVector value, float* destination);

        /// <summary>Bias and activation of <paramref name="channel"/>, then <paramref name="width"/> floats stored (a partial vector through <paramref name="tail"/>).</summary>
        static abstract void StoreOutput(TVector sum, in SmallKEpilogue epilogue, int channel, float* destination, int width, float* tail);
    }

    private readonly unsafe struct ZmmLanes : IDepthwiseLanes<Vector512<float>>
    {
        public static int Lanes => 16;

        public static Vector512<float> Splat(float value) => Vector512.Create(value);

        public static Vector512<float> Load(float* source) => Avx512Ops.LoadVector512(source);

        public static Vector512<float> MultiplyAdd(Vector512<float> weight, Vector512<float> x, Vector512<float> sum) => Avx512Ops.FusedMultiplyAdd(weight, x, sum);

        public static void Store(Vector512<float> value, float* destination) => Avx512Ops.Store(destination, value);

        public static void StoreOutput(Vector512<float> sum, in SmallKEpilogue epilogue, int channel, float* destination, int width, float* tail) =>
            StoreRow512(epilogue.Apply(sum, channel), destination, width, tail);
    }

    private readonly unsafe struct YmmLanes : IDepthwiseLanes<Vector256<float>>
    {
        public static int Lanes => 8;

        public static Vector256<float> Splat(float value) => Vector256.Create(value);

        public static Vector256<float> Load(float* source) => Avx.LoadVector256(source);

        public static Vector256<float> MultiplyAdd(Vector256<float> weight, Vector256<float> x, Vector256<float> sum) => Fma.MultiplyAdd(weight, x, sum);

        public static void Store(Vector256<float> value, float* destination) => Avx.Store(destination, value);

        public static void StoreOutput(Vector256<float> sum, in SmallKEpilogue epilogue, int channel, float* destination, int width, float* tail)
        {
            var value = epilogue.Apply(sum, channel);
            if (width == 8)
            {
                Avx.Store(destination, value);
                return;
            }

            Avx.Store(tail, value);
            CopyTail(tail, destination, width);
        }
    }

    /// <summary>
    /// The taps (ky-major, so a range) of output rows <paramref name="oy"/>.. (<paramref name="rows"/> of them) whose input row
    /// lies inside the image for at least one of them: on a small plane most kernel rows read the zero padding (a 5 × 5
    /// kernel on a 2-row plane: 15 of 25 taps).
    /// </summary>
    private static (int First, int End) TapsInside(in ConvShape s, int oy, int rows = 1)
    {
        var (first, end) = (s.KH, 0);
        for (var ky = 0; ky < s.KH; ky++)
        {
            for (var r = oy; r < oy + rows; r++)
            {
                if ((uint)(r * s.StrideH + ky * s.DilH - s.PadTop) < (uint)s.H)
                {
                    (first, end) = (Math.Min(first, ky), ky + 1);
                }
            }
        }

        return first < end ? (first * s.KW, end * s.KW) : (0, 0);
    }

    /// <summary>
    /// One output channel's plane: <paramref name="ow"/> pixels per row, each row's source <paramref name="rowStride"/> floats below the last,
    /// row <c>oy</c>'s taps those of <see cref="TapsInside"/> (runs batch rows with the same taps).
    /// </summary>
    private readonly unsafe struct DepthwiseRun(ConvShape s, float* planes, int* offsets, float* w, float* y, int ow, int rowStride)
    {
        /// <summary>Runs of output pixels accumulated together: independent FMA chains.</summary>
        private const int Runs = 8;

        public void Run<TLanes, TVector>(int oh, in SmallKEpilogue epilogue, int channel)
            where TLanes : struct, IDepthwiseLanes<TVector>
            where TVector : struct
        {
            var tile = stackalloc float[Runs * 16];
            var pending = stackalloc int[2 * Runs];
            var count = 0;
            var (first, end) = (0, 0);
            for (var oy = 0; oy < oh; oy++)
            {
                var taps = TapsInside(s, oy);
                if (count > 0 && taps != (first, end))
                {
                    Flush<TLanes, TVector>(pending, count, tile, epilogue, channel, first, end);
                    count = 0;
                }

                (first, end) = taps;
                for (var ox = 0; ox < ow; ox += TLanes.Lanes)
                {
                    pending[2 * count] = oy;
                    pending[2 * count + 1] = ox;
                    if (++count == Runs)
                    {
                        Flush<TLanes, TVector>(pending, count, tile, epilogue, channel, first, end);
                        count = 0;
                    }
                }
            }

            if (count > 0)
            {
                Flush<TLanes, TVector>(pending, count, tile, epilogue, channel, first, end);
            }
        }

        /// <summary>Source of run <paramref name="i"/> of <paramref name="pending"/> (runs past <paramref name="count"/> repeat the first; not stored).</summary>
        private float* Source(int* pending, int count, int i)
        {
            var j = i < count ? i : 0;
            return planes + (long)pending[2 * j] * rowStride + pending[2 * j + 1];
        }

        private void Flush<TLanes, TVector>(int* pending, int count, float* tile, in SmallKEpilogue epilogue, int channel, int firstTap, int endTap)
            where TLanes : struct, IDepthwiseLanes<TVector>
            where TVector : struct
        {
            Accumulate<TLanes, TVector>(pending, count, tile, firstTap, endTap);
            for (var i = 0; i < count; i++)
            {
                var ox = pending[2 * i + 1];
                var sums = tile + TLanes.Lanes * i;
                TLanes.StoreOutput(TLanes.Load(sums), epilogue, channel, y + (long)pending[2 * i] * ow + ox, Math.Min(TLanes.Lanes, ow - ox), sums);
            }
        }

        // The tap loop is apart, with the tile as its only output, so the JIT keeps the eight
        // accumulators in registers (see Accumulate8x32).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Accumulate<TLanes, TVector>(int* pending, int count, float* tile, int firstTap, int endTap)
            where TLanes : struct, IDepthwiseLanes<TVector>
            where TVector : struct
        {
            float* s0 = Source(pending, count, 0), s1 = Source(pending, count, 1), s2 = Source(pending, count, 2), s3 = Source(pending, count, 3),
                s4 = Source(pending, count, 4), s5 = Source(pending, count, 5), s6 = Source(pending, count, 6), s7 = Source(pending, count, 7);
            TVector c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            // Locals, not the struct's fields: the loop then reads them from registers.
            var tapOffsets = offsets;
            var weights = w;
            for (var t = firstTap; t < endTap; t++)
            {
                var offset = tapOffsets[t];
                var v = TLanes.Splat(weights[t]);
                c0 = TLanes.MultiplyAdd(v, TLanes.Load(s0 + offset), c0);
                c1 = TLanes.MultiplyAdd(v, TLanes.Load(s1 + offset), c1);
                c2 = TLanes.MultiplyAdd(v, TLanes.Load(s2 + offset), c2);
                c3 = TLanes.MultiplyAdd(v, TLanes.Load(s3 + offset), c3);
                c4 = TLanes.MultiplyAdd(v, TLanes.Load(s4 + offset), c4);
                c5 = TLanes.MultiplyAdd(v, TLanes.Load(s5 + offset), c5);
                c6 = TLanes.MultiplyAdd(v, TLanes.Load(s6 + offset), c6);
                c7 = TLanes.MultiplyAdd(v, TLanes.Load(s7 + offset), c7);
            }

            var lanes = TLanes.Lanes;
            TLanes.Store(c0, tile);
            TLanes.Store(c1, tile + lanes);
            TLanes.Store(c2, tile + 2 * lanes);
            TLanes.Store(c3, tile + 3 * lanes);
            TLanes.Store(c4, tile + 4 * lanes);
            TLanes.Store(c5, tile + 5 * lanes);
            TLanes.Store(c6, tile + 6 * lanes);
            TLanes.Store(c7, tile + 7 * lanes);
        }
    }
}

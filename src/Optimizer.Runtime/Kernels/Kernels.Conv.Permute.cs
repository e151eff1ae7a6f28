using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>Ints of the largest <see cref="Im2ColPermuteTable"/> (16 KB).</summary>
    private const int MaxPermuteTableInts = 4096;

    /// <summary>
    /// The permute tables by shape and width, built on a shape's first call: a program runs the
    /// same few conv shapes over and over, and building one costs more than a small batch-1 conv.
    /// Pinned, so the table's pointer stays valid; empty arrays mark shapes the permute does not fit.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(ConvShape Shape, int Lanes), int[]> PermuteTables = new();

    /// <summary>The permute im2col table of <paramref name="s"/> on this CPU, or an empty one where the permute does not apply.</summary>
    private static unsafe Im2ColPermuteTable PermuteTableFor(in ConvShape s)
    {
        var lanes = Im2ColPermuteTable.LanesOnThisCpu;
        if (lanes == 0)
        {
            return default;
        }

        // On AVX2 one masked load per 8 floats beats two permutes and a blend; on AVX-512 the permute's 16 lanes stay first.
        var shifted = ShiftedLoadsApply(s);
        if (shifted && lanes == 8)
        {
            return ShiftedLoadsTable(s);
        }

        var ints = PermuteTables.GetOrAdd((s, lanes), static key =>
        {
            var length = Im2ColPermuteTable.Length(key.Shape, key.Lanes);
            if (length > MaxPermuteTableInts)
            {
                return [];
            }

            var built = GC.AllocateUninitializedArray<int>(length, pinned: true);
            fixed (int* p = built)
            {
                return Im2ColPermuteTable.Build(key.Shape, key.Lanes, p).Applies ? built : [];
            }
        });
        if (ints.Length == 0)
        {
            return shifted ? ShiftedLoadsTable(s) : default;
        }

        fixed (int* p = ints)
        {
            // Pinned at allocation: the address outlives this block.
            return new Im2ColPermuteTable(p, lanes, Im2ColPermuteTable.GroupsOf(s, lanes), s.H * s.W < 2 * lanes);
        }
    }

    /// <summary>
    /// Where each slot of the im2col matrix of a small input plane comes from, built once per
    /// conv shape (the same for every image and channel, see <see cref="PermuteTables"/>) so that <see cref="Im2ColPermuted"/>
    /// writes each packed row as one register permute of a window of the plane. The pixels run in
    /// groups of <see cref="Lanes"/> (16 on AVX-512, 8 on AVX2); each group reads one window of
    /// <c>2 · Lanes</c> floats of the plane. Layout: one window start per group, then per tap
    /// and group <c>Lanes</c> window indices and <c>Lanes</c> masks (all ones, or zero where the
    /// tap falls in the padding or past the last pixel).
    /// </summary>
    internal readonly unsafe struct Im2ColPermuteTable(int* ints, int lanes, int groups, bool copiesPlane, bool shiftedLoads = false)
    {
        /// <summary>The table; where <see cref="ShiftedLoads"/>, the column masks of <see cref="Im2ColShiftedLoads"/> instead.</summary>
        public int* Ints { get; } = ints;

        /// <summary>Whether the small plane is written by <see cref="Im2ColShiftedLoads"/> (masked loads at each tap's offset) instead of permutes.</summary>
        public bool ShiftedLoads { get; } = shiftedLoads;

        /// <summary>The table of <see cref="Im2ColShiftedLoads"/>: its column masks (pinned).</summary>
        public static Im2ColPermuteTable WithShiftedLoads(int* masks) => new(masks, 8, 0, false, shiftedLoads: true);

        /// <summary>Pixels per permute: 16 (AVX-512) or 8 (AVX2); 0 where the table does not apply.</summary>
        public int Lanes { get; } = lanes;

        public int Groups { get; } = groups;

        /// <summary>Whether the plane is shorter than one window: then it is copied into a zero-padded window first.</summary>
        public bool CopiesPlane { get; } = copiesPlane;

        public bool Applies => Lanes != 0;

        /// <summary>The permute's width on this CPU's fp32 path, or 0 where neither AVX-512 nor AVX2 runs it.</summary>
        public static int LanesOnThisCpu => KernelDispatch.Current.Fp32Gemm switch
        {
            KernelPath.Avx512F => 16,
            KernelPath.Avx2Fma => 8,
            _ => 0,
        };

        /// <summary>Ints the table of <paramref name="s"/> needs at <paramref name="lanes"/> pixels per permute.</summary>
        public static int Length(in ConvShape s, int lanes)
        {
            var groups = PixelGroups(s, lanes);
            return groups + s.KH * s.KW * groups * 2 * lanes;
        }

        public static int GroupsOf(in ConvShape s, int lanes) => PixelGroups(s, lanes);

        private static int PixelGroups(in ConvShape s, int lanes) => (s.P + PanelWidth - 1) / PanelWidth * (PanelWidth / lanes);

        /// <summary>Fills <paramref name="ints"/> (<see cref="Length"/> long); an empty table where some group's taps span more than one window.</summary>
        public static Im2ColPermuteTable Build(in ConvShape s, int lanes, int* ints)
        {
            var groups = PixelGroups(s, lanes);
            var window = 2 * lanes;
            var plane = s.H * s.W;
            var taps = s.KH * s.KW;
            for (var group = 0; group < groups; group++)
            {
                // The window starts at the group's lowest input index; its highest must lie within it.
                int low = int.MaxValue, high = -1;
                for (var tap = 0; tap < taps; tap++)
                {
                    for (var lane = 0; lane < lanes; lane++)
                    {
                        var source = SourceIndex(s, group * lanes + lane, tap);
                        if (source >= 0)
                        {
                            low = Math.Min(low, source);
                            high = Math.Max(high, source);
                        }
                    }
                }

                if (high - low >= window)
                {
                    return default;
                }

                // Loads stay inside the plane: a plane of a window or more starts its last window at plane - window.
                var start = high < 0 || plane < window ? 0 : Math.Min(low, plane - window);
                ints[group] = start;
                for (var tap = 0; tap < taps; tap++)
                {
                    var entry = ints + groups + (long)(tap * groups + group) * 2 * lanes;
                    for (var lane = 0; lane < lanes; lane++)
                    {
                        var source = SourceIndex(s, group * lanes + lane, tap);
                        entry[lane] = source >= 0 ? source - start : 0;
                        entry[lanes + lane] = source >= 0 ? -1 : 0;
                    }
                }
            }

            return new Im2ColPermuteTable(ints, lanes, groups, plane < window);
        }

        /// <summary>The input index (within one plane) tap <paramref name="tap"/> reads for output pixel <paramref name="pixel"/>, or -1 for a zero.</summary>
        private static int SourceIndex(in ConvShape s, int pixel, int tap)
        {
            if (pixel >= s.P)
            {
                return -1;
            }

            var iy = pixel / s.OW * s.StrideH - s.PadTop + tap / s.KW * s.DilH;
            var ix = pixel % s.OW * s.StrideW - s.PadLeft + tap % s.KW * s.DilW;
            return (uint)iy < (uint)s.H && (uint)ix < (uint)s.W ? iy * s.W + ix : -1;
        }
    }

    /// <summary>
    /// <see cref="Im2ColPacked"/> from a <see cref="Im2ColPermuteTable"/>: per channel and pixel
    /// group, one window of the plane in two registers, then one permute (and mask) per tap
    /// gives that tap's packed row for the group. Any strides, padding and dilation; the same
    /// floats as the copying paths.
    /// </summary>
    [SkipLocalsInit]
    private static unsafe void Im2ColPermuted(in ConvShape s, float* x, float* packed, in Im2ColPermuteTable table)
    {
        if (table.ShiftedLoads)
        {
            Im2ColShiftedLoads(s, x, packed, table.Ints);
            return;
        }

        // Everything in locals: the stores through float* could alias the table struct, and the JIT would reload its fields per tap.
        var plane = s.H * s.W;
        var taps = s.KH * s.KW;
        var channels = s.CPerGroup;
        var lanes = table.Lanes;
        var groups = table.Groups;
        var starts = table.Ints;
        var entries = table.Ints + groups;
        var tapStride = (long)groups * 2 * lanes;
        var copiesPlane = table.CopiesPlane;
        var groupsPerPanel = PanelWidth / lanes;
        var panelStride = (long)s.K * PanelWidth;
        var padded = stackalloc float[2 * lanes];
        if (copiesPlane)
        {
            new Span<float>(padded, 2 * lanes).Clear();
        }

        for (var ci = 0; ci < channels; ci++)
        {
            var src = x + (long)ci * plane;
            if (copiesPlane)
            {
                CopyFloats(src, padded, plane);
                src = padded;
            }

            var rows = packed + (long)ci * taps * PanelWidth;
            for (var group = 0; group < groups; group++)
            {
                var window = src + starts[group];
                var dst = rows + group / groupsPerPanel * panelStride + group % groupsPerPanel * lanes;
                var entry = entries + (long)group * 2 * lanes;
                if (lanes == 16)
                {
                    PermuteTapsAvx512(window, dst, entry, tapStride, taps);
                }
                else
                {
                    PermuteTapsAvx2(window, dst, entry, tapStride, taps);
                }
            }
        }
    }

    /// <summary>Rows of <paramref name="taps"/> taps for one group of 16 pixels; <paramref name="entry"/>: the first tap's indices, then its masks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PermuteTapsAvx512(float* window, float* dst, int* entry, long tapStride, int taps)
    {
        var lo = Avx512Ops.LoadVector512(window);
        var hi = Avx512Ops.LoadVector512(window + 16);
        for (var tap = 0; tap < taps; tap++, dst += PanelWidth, entry += tapStride)
        {
            var gathered = Avx512Ops.PermuteVar16x32x2(lo, Avx512Ops.LoadVector512(entry), hi);
            Avx512Ops.Store(dst, gathered & Avx512Ops.LoadVector512(entry + 16).AsSingle());
        }
    }

    /// <summary>As <see cref="PermuteTapsAvx512"/> for a group of 8 pixels from a 16-float window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PermuteTapsAvx2(float* window, float* dst, int* entry, long tapStride, int taps)
    {
        var lo = Avx.LoadVector256(window);
        var hi = Avx.LoadVector256(window + 8);
        for (var tap = 0; tap < taps; tap++, dst += PanelWidth, entry += tapStride)
        {
            var indices = Avx.LoadVector256(entry);
            // Index bit 3 picks the upper register: shifted to the sign bit, it drives the blend.
            var fromHi = Avx2.ShiftLeftLogical(indices, 28).AsSingle();
            var gathered = Avx.BlendVariable(Avx2.PermuteVar8x32(lo, indices), Avx2.PermuteVar8x32(hi, indices), fromHi);
            Avx.Store(dst, Avx.And(gathered, Avx.LoadVector256(entry + 8).AsSingle()));
        }
    }
}

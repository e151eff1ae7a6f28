using System.Runtime.Intrinsics;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// The column masks of <see cref="Im2ColShiftedLoads"/>, by shape, built on a shape's first call
    /// (as <see cref="PermuteTables"/>); pinned, so the pointer a table holds stays valid.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ConvShape, int[]> ShiftedLoadMasks = new();

    /// <summary>
    /// Whether <see cref="Im2ColShiftedLoads"/> can write the im2col of <paramref name="s"/>: unit
    /// strides and dilations and an output as wide as the input (a "same" conv), so that in the
    /// flattened plane every tap reads the output's pixels shifted by one constant; a tap reaches at
    /// most one plane before or after, small enough that no block-by-block pass applies.
    /// </summary>
    internal static bool ShiftedLoadsApply(in ConvShape s) =>
        s.StrideH == 1 && s.StrideW == 1 && s.DilH == 1 && s.DilW == 1 && s.OW == s.W
        && (long)s.K * s.P <= 2 * ConvBlockFloats
        && ShiftedLoadsReach(s) <= s.H * s.W
        && (long)s.KH * s.KW * PackedPixels(s) <= MaxPermuteTableInts
        && s.H * s.W + 2 * ShiftedLoadsReach(s) <= MaxPaddedPlaneFloats;

    /// <summary>The shifted-loads table of <paramref name="s"/> (its masks, cached per shape).</summary>
    private static unsafe Im2ColPermuteTable ShiftedLoadsTable(in ConvShape s)
    {
        var masks = ShiftedLoadMasks.GetOrAdd(s, static shape =>
        {
            // Lane j of a tap is kept where pixel j is real and the input it reads lies inside the plane.
            var pixels = PackedPixels(shape);
            var built = GC.AllocateArray<int>(shape.KH * shape.KW * pixels, pinned: true);
            for (var tap = 0; tap < shape.KH * shape.KW; tap++)
            {
                for (var pixel = 0; pixel < shape.P; pixel++)
                {
                    var iy = pixel / shape.W + tap / shape.KW - shape.PadTop;
                    var ix = pixel % shape.W + tap % shape.KW - shape.PadLeft;
                    built[tap * pixels + pixel] = (uint)iy < (uint)shape.H && (uint)ix < (uint)shape.W ? -1 : 0;
                }
            }

            return built;
        });
        fixed (int* p = masks)
        {
            // Pinned at allocation: the address outlives this block.
            return Im2ColPermuteTable.WithShiftedLoads(p);
        }
    }

    /// <summary>Pixels of one image's packed panels (the last panel's padding included).</summary>
    private static int PackedPixels(in ConvShape s) => (s.P + PanelWidth - 1) / PanelWidth * PanelWidth;

    /// <summary>The most floats a tap's loads reach before a plane or past its end.</summary>
    private static int ShiftedLoadsReach(in ConvShape s) =>
        Math.Max(s.PadTop * s.W + s.PadLeft,
            Math.Max(0, PackedPixels(s) + (s.KH - 1 - s.PadTop) * s.W + (s.KW - 1 - s.PadLeft) - s.H * s.W));

    /// <summary>
    /// <see cref="Im2ColPacked"/> where <see cref="ShiftedLoadsApply"/>: the packed row of tap
    /// (ky, kx) is, per 8 pixels, one unaligned load of the plane at the tap's offset
    /// <c>(ky − padTop) · W + kx − padLeft</c> ANDed with the tap's mask (zero where the read falls
    /// in the padding: a row above or below, which is the plane beside, or a column that wraps into
    /// the row beside; and past the last pixel). One load, AND and store per 8 floats, where the
    /// permute takes two permutes and a blend. The first and last channel are read from a copy with
    /// room around it, so no load leaves the group's input.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit] // what the copy's margins hold is masked off
    private static unsafe void Im2ColShiftedLoads(in ConvShape s, float* x, float* packed, int* masks)
    {
        // Everything in locals: the stores through float* could alias the shape, and the JIT would reload its fields per tap.
        int plane = s.H * s.W, w = s.W, kh = s.KH, kw = s.KW, channels = s.CPerGroup, padTop = s.PadTop, padLeft = s.PadLeft;
        var pixels = PackedPixels(s);
        var reach = ShiftedLoadsReach(s);
        var copyStride = plane + 2 * reach;
        var copies = stackalloc float[2 * copyStride];
        var first = copies + reach;
        var last = first + copyStride;
        CopyFloats(x, first, plane);
        CopyFloats(x + (long)(channels - 1) * plane, last, plane);
        var panelStride = (long)s.K * PanelWidth;
        var row = 0;
        for (var ci = 0; ci < channels; ci++)
        {
            var src = ci == 0 ? first : ci == channels - 1 ? last : x + (long)ci * plane;
            for (var ky = 0; ky < kh; ky++)
            {
                for (var kx = 0; kx < kw; kx++, row++)
                {
                    var tap = src + (ky - padTop) * w + (kx - padLeft);
                    var mask = masks + (long)(ky * kw + kx) * pixels;
                    var dst = packed + (long)row * PanelWidth;
                    for (var pixel = 0; pixel < pixels; pixel += PanelWidth, dst += panelStride)
                    {
                        Vector256.Store(Vector256.Load(tap + pixel) & Vector256.Load(mask + pixel).AsSingle(), dst);
                        Vector256.Store(Vector256.Load(tap + pixel + 8) & Vector256.Load(mask + pixel + 8).AsSingle(), dst + 8);
                    }
                }
            }
        }
    }
}

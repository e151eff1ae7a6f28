using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>Output pixels per row of one <see cref="DepthwiseRowTile"/> (four ymm).</summary>
    private const int DepthwiseRowTilePixels = 32;

    /// <summary>
    /// The narrowest lines that run as row tiles, though a tile then computes pixels it does not
    /// store. Measured (1 thread, against pending runs): 20-wide 5×5 lines 0.89–0.96×, 24-wide
    /// 0.87×, 16-wide even, 10-wide 1.2× (PP-OCRv4 det's 384-channel 10×10 stays on pending runs).
    /// </summary>
    private const int DepthwiseRowTileMinWidth = 20;

    /// <summary>
    /// One output channel of a depthwise convolution on AVX2, for lines at least
    /// <see cref="DepthwiseRowTileMinWidth"/> wide: two output rows × 32 pixels at a time straight
    /// from the phase planes (eight FMA chains), bias and activation applied in registers before
    /// the store. Unlike <see cref="DepthwiseRun"/> there is no list of pending runs nor a tile
    /// reloaded from memory: the per-pixel overhead that dominated its 3×3 and 5×5 kernels.
    /// The taps run in the same order (ky, kx ascending, then the bias), those of kernel rows where both output rows read
    /// padding skipped (<see cref="TapsInside"/>).
    /// </summary>
    [SkipLocalsInit]
    private static unsafe void DepthwiseRowTiles(in ConvShape s, float* planes, int* offsets, float* w, float* y, int rowStride,
        in SmallKEpilogue epilogue, int channel)
    {
        var (oh, ow) = (s.OH, s.OW);
        var tail = stackalloc float[8];
        for (var oy = 0; oy < oh; oy += 2)
        {
            // A last odd row computes its source twice and stores it once.
            var second = oy + 1 < oh;
            var (first, end) = TapsInside(s, oy, second ? 2 : 1);
            var source0 = planes + (long)oy * rowStride;
            var source1 = second ? source0 + rowStride : source0;
            var line = y + (long)oy * ow;
            for (var ox = 0; ox < ow; ox += DepthwiseRowTilePixels)
            {
                DepthwiseRowTile(source0 + ox, source1 + ox, offsets, first, end, w, line + ox, second ? line + ow + ox : null,
                    Math.Min(DepthwiseRowTilePixels, ow - ox), epilogue, channel, tail);
            }
        }
    }

    /// <summary>
    /// Rows <paramref name="source0"/> and <paramref name="source1"/> of 32 pixels (the last tile
    /// of a line reads past it into the next row or the planes' slack, and stores
    /// <paramref name="width"/> pixels); <paramref name="y1"/> null stores the first row only.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void DepthwiseRowTile(float* source0, float* source1, int* offsets, int firstTap, int endTap, float* w, float* y0, float* y1, int width,
        in SmallKEpilogue epilogue, int channel, float* tail)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        for (var t = firstTap; t < endTap; t++)
        {
            var offset = offsets[t];
            var v = Vector256.Create(w[t]);
            var p = source0 + offset;
            a0 = Fma.MultiplyAdd(v, Avx.LoadVector256(p), a0);
            a1 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 8), a1);
            a2 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 16), a2);
            a3 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 24), a3);
            p = source1 + offset;
            b0 = Fma.MultiplyAdd(v, Avx.LoadVector256(p), b0);
            b1 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 8), b1);
            b2 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 16), b2);
            b3 = Fma.MultiplyAdd(v, Avx.LoadVector256(p + 24), b3);
        }

        StoreRowTile(epilogue.Apply(a0, channel), epilogue.Apply(a1, channel), epilogue.Apply(a2, channel), epilogue.Apply(a3, channel), y0, width, tail);
        if (y1 != null)
        {
            StoreRowTile(epilogue.Apply(b0, channel), epilogue.Apply(b1, channel), epilogue.Apply(b2, channel), epilogue.Apply(b3, channel), y1, width, tail);
        }
    }

    /// <summary>Stores the first <paramref name="width"/> of 32 floats; a partial vector goes through <paramref name="tail"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRowTile(Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3, float* y, int width, float* tail)
    {
        if (width == DepthwiseRowTilePixels)
        {
            Avx.Store(y, v0);
            Avx.Store(y + 8, v1);
            Avx.Store(y + 16, v2);
            Avx.Store(y + 24, v3);
            return;
        }

        // Whole vectors first, then the one partial vector (if any) through the tail buffer.
        var whole = width / 8;
        var last = whole switch { 0 => v0, 1 => v1, 2 => v2, _ => v3 };
        if (whole > 0) Avx.Store(y, v0);
        if (whole > 1) Avx.Store(y + 8, v1);
        if (whole > 2) Avx.Store(y + 16, v2);
        if (width % 8 != 0)
        {
            Avx.Store(tail, last);
            CopyTail(tail, y + whole * 8, width % 8);
        }
    }
}

using System.Collections.Concurrent;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // Largest gather table kept per convolution shape (2 × 64 bytes per pixel block and quad).
    private const int MaxQuadGatherTableBytes = 1 << 20;

    // Per shape: the gather table, or null where a quad's bytes are not within 128 bytes of the image (large planes).
    private static readonly ConcurrentDictionary<ConvShape, QuadGatherTable?> QuadGatherTables = new();

    // The image copied with 128 bytes of slack, so every 128-byte window the table names can be read.
    [ThreadStatic]
    private static byte[]? _gatherImage;

    /// <summary>
    /// For pixel block b and quad q (entry <c>t = b · quads + q</c>): the image offset of a
    /// 128-byte window, 64 byte indices into it (16 pixels × 4 k, the pixel-block layout of
    /// <see cref="InterleavePixelQuads"/>), and 64 mask bytes (0xFF: padding, or k past K).
    /// </summary>
    private sealed record QuadGatherTable(int[] Starts, byte[] Indices, byte[] PadMask);

    /// <summary>The gather table of a shape, or null where the CPU lacks AVX-512 VBMI or the shape's quads span more than 128 bytes.</summary>
    private static QuadGatherTable? QuadGatherTableFor(in ConvShape s) =>
        KernelDispatch.Current.Avx512Vbmi ? QuadGatherTables.GetOrAdd(s, BuildQuadGatherTable) : null;

    /// <summary>
    /// Builds the pixel blocks of one image straight from its bytes, one <c>vpermi2b</c> per
    /// quad (AVX-512 VBMI), where the im2col rows and their regrouping take a move per kernel row
    /// and one per quad: the small planes of a CNN's later convolutions, where that copying costs
    /// more than the dot products.
    /// </summary>
    private static unsafe void GatherPixelQuads(QuadGatherTable table, in ConvShape s, byte* x, byte pad, byte* interleaved)
    {
        var imageBytes = (long)s.C * s.H * s.W;
        var image = ThreadBuffer(ref _gatherImage, imageBytes + 128);
        Buffer.MemoryCopy(x, image, imageBytes, imageBytes);
        var padding = Vector512.Create(pad);
        fixed (byte* indices = table.Indices, masks = table.PadMask)
        {
            for (var t = 0; t < table.Starts.Length; t++)
            {
                var window = image + table.Starts[t];
                var bytes = Avx512Ops.PermuteVar64x8x2(Vector512.Load(window), Vector512.Load(indices + t * 64L), Vector512.Load(window + 64));
                Vector512.ConditionalSelect(Vector512.Load(masks + t * 64L), padding, bytes).Store(interleaved + t * 64L);
            }
        }
    }

    private static QuadGatherTable? BuildQuadGatherTable(ConvShape s)
    {
        var quads = (s.K + 3) / 4;
        var blocks = (s.P + PixelBlock - 1) / PixelBlock;
        if ((long)blocks * quads * 128 > MaxQuadGatherTableBytes)
        {
            return null;
        }

        var starts = new int[blocks * quads];
        var indices = new byte[blocks * quads * 64];
        var masks = new byte[blocks * quads * 64];
        var offsets = new int[64];
        for (var t = 0; t < starts.Length; t++)
        {
            var (block, q) = (t / quads, t % quads);
            int min = int.MaxValue, max = int.MinValue;
            for (var lane = 0; lane < 64; lane++)
            {
                offsets[lane] = SourceOffset(s, block * PixelBlock + lane / 4, 4 * q + lane % 4);
                if (offsets[lane] >= 0)
                {
                    (min, max) = (Math.Min(min, offsets[lane]), Math.Max(max, offsets[lane]));
                }
            }

            if (max - min >= 128)
            {
                return null;
            }

            starts[t] = min == int.MaxValue ? 0 : min;
            for (var lane = 0; lane < 64; lane++)
            {
                indices[t * 64 + lane] = offsets[lane] < 0 ? (byte)0 : (byte)(offsets[lane] - starts[t]);
                masks[t * 64 + lane] = offsets[lane] < 0 ? (byte)0xFF : (byte)0;
            }
        }

        return new QuadGatherTable(starts, indices, masks);
    }

    /// <summary>The image offset the im2col row of <paramref name="pixel"/> holds at <paramref name="k"/>, or −1 for padding (outside the image, or k or the pixel past the end).</summary>
    private static int SourceOffset(in ConvShape s, int pixel, int k)
    {
        if (pixel >= s.P || k >= s.K)
        {
            return -1;
        }

        var (ci, kernelRow, kx) = (k / (s.KH * s.KW), k % (s.KH * s.KW) / s.KW, k % s.KW);
        var iy = pixel / s.OW * s.StrideH - s.PadTop + kernelRow * s.DilH;
        var ix = pixel % s.OW * s.StrideW - s.PadLeft + kx * s.DilW;
        return (uint)iy < (uint)s.H && (uint)ix < (uint)s.W ? (ci * s.H + iy) * s.W + ix : -1;
    }
}

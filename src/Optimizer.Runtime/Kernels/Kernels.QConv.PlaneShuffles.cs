using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // Per shape: each (pixel block, k)'s 16 byte indices into its channel's plane (0x80: padding, or k past K).
    private static readonly ConcurrentDictionary<ConvShape, byte[]> PlaneShuffleTables = new();

    /// <summary>
    /// Whether <see cref="ShufflePixelQuads"/> builds this shape's pixel blocks: input planes of at
    /// most 16 bytes (the digits CNN's second convolution, 4 × 4), so each k's 16 pixels are one
    /// <c>vpshufb</c> of its channel's plane. Where AVX-512 VBMI is, the gather table does this for larger windows.
    /// </summary>
    private static bool PlaneShufflesFit(in ConvShape s) => Sse41.IsSupported && s.H * s.W <= 16;

    /// <summary>The shuffle table of a shape, built once.</summary>
    private static byte[] PlaneShuffleTableFor(in ConvShape s) => PlaneShuffleTables.GetOrAdd(s, BuildPlaneShuffleTable);

    /// <summary>
    /// The pixel blocks of one image from its channel planes held in registers: per k, the plane
    /// shuffled by the table and the padding blended in where the index's top bit is set (the
    /// index is the blend mask), four k's transposed to a quad (<see cref="StoreQuad"/>). The row
    /// segments build a padded copy and then insert 4 bytes per row (four loads per k); this reads
    /// the input as it is, two instructions per k, and measured twice as fast on the digits CNN's 4 × 4 convolution.
    /// </summary>
    private static unsafe void ShufflePixelQuads(byte[] table, in ConvShape s, byte* x, byte pad, byte* interleaved)
    {
        var plane = s.H * s.W;
        var imageBytes = s.C * plane;
        // The last planes are read through a copy, so no 16-byte load runs past the image.
        var tail = stackalloc byte[32];
        var tailStart = Math.Max(0, imageBytes - 16);
        Buffer.MemoryCopy(x + tailStart, tail, imageBytes - tailStart, imageBytes - tailStart);
        var quads = (s.K + 3) / 4;
        var window = s.KH * s.KW;
        var padding = Vector128.Create(pad);
        var dst = interleaved;
        fixed (byte* indices = table)
        {
            var index = indices;
            for (var p0 = 0; p0 < s.P; p0 += PixelBlock)
            {
                for (var k = 0; k < quads * 4; k += 4, dst += 64, index += 64)
                {
                    StoreQuad(
                        Segment(x, tail, tailStart, Math.Min(k / window, s.C - 1) * plane, index, padding),
                        Segment(x, tail, tailStart, Math.Min((k + 1) / window, s.C - 1) * plane, index + 16, padding),
                        Segment(x, tail, tailStart, Math.Min((k + 2) / window, s.C - 1) * plane, index + 32, padding),
                        Segment(x, tail, tailStart, Math.Min((k + 3) / window, s.C - 1) * plane, index + 48, padding),
                        dst);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<byte> Segment(byte* x, byte* tail, int tailStart, int at, byte* index, Vector128<byte> padding)
        {
            var bytes = at < tailStart ? Vector128.Load(x + at) : Vector128.Load(tail + (at - tailStart));
            var shuffle = Vector128.Load(index);
            return Sse41.BlendVariable(Ssse3.Shuffle(bytes, shuffle), padding, shuffle);
        }
    }

    private static byte[] BuildPlaneShuffleTable(ConvShape s)
    {
        var quads = (s.K + 3) / 4;
        var blocks = (s.P + PixelBlock - 1) / PixelBlock;
        var table = new byte[blocks * quads * 4 * 16];
        var plane = s.H * s.W;
        for (var block = 0; block < blocks; block++)
        {
            for (var k = 0; k < quads * 4; k++)
            {
                for (var lane = 0; lane < 16; lane++)
                {
                    var offset = SourceOffset(s, block * PixelBlock + lane, k);
                    table[((block * quads * 4) + k) * 16 + lane] = offset < 0 ? (byte)0x80 : (byte)(offset - k / (s.KH * s.KW) * plane);
                }
            }
        }

        return table;
    }
}

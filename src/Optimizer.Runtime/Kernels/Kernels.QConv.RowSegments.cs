using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // The zero-point-padded image the row segments are read from: per thread.
    [ThreadStatic]
    private static byte[]? _segmentImage;

    /// <summary>
    /// Whether <see cref="InterleaveRowSegments"/> builds this shape's pixel blocks: dilation 1 across, and stride 1
    /// with rows of whole 16-pixel blocks, so each k of a block is 16 contiguous bytes of the padded image, or rows 8 or
    /// 4 wide, so it is 2 or 4 whole rows' segments (the wake-word embedding model's 1×3 and 3×1 convolutions on 32-, 16-,
    /// 8- and 4-wide planes); or stride 2 with rows of whole blocks, each k the even bytes of 32 (the OCR classifier's
    /// first convolution, 3 × 3 / 2 on 3 channels: its im2col rows and their regrouping were twice the float convolution's time).
    /// </summary>
    private static bool RowSegmentsFit(in ConvShape s) =>
        Sse2.IsSupported && s.DilW == 1 && (s.StrideW == 1 && (s.OW % PixelBlock == 0 || s.OW is 8 or 4) || s.StrideW == 2 && s.OW % PixelBlock == 0);

    /// <summary>
    /// Whether the image is its own padded copy: no padding or cropping, stride 1 across and rows of whole blocks (no
    /// read past the plane), so the segments are read from it directly: a 1×1 convolution's input planes are the matrix.
    /// </summary>
    private static bool RowSegmentsReadTheImage(in ConvShape s, int paddedH, int paddedW) =>
        s.PadTop == 0 && s.PadLeft == 0 && paddedH == s.H && paddedW == s.W && s.StrideW == 1 && s.OW % PixelBlock == 0;

    /// <summary>
    /// The pixel blocks of one image from 16-byte row segments of its padded copy: each quad's
    /// four segments (one per k) are transposed to 16 pixels × 4 bytes with byte then word
    /// unpacks, where the im2col rows take a move per kernel row and pixel, and their regrouping one per quad and pixel.
    /// </summary>
    [SkipLocalsInit] // every offset is written before it is read
    private static unsafe void InterleaveRowSegments(in ConvShape s, byte* x, byte pad, byte* interleaved)
    {
        var paddedH = (s.OH - 1) * s.StrideH + (s.KH - 1) * s.DilH + 1;
        var paddedW = (s.OW - 1) * s.StrideW + s.KW;
        var plane = paddedH * paddedW;
        // A block of narrow rows (width 8 or 4) may run past the last output row: those lanes are never stored, but are read.
        // Stride 2 reads 32 bytes for the 16 even ones: one past the last.
        var (width, rowStep) = (Math.Min(s.OW, PixelBlock), s.StrideH * paddedW);
        var slack = (PixelBlock / width - 1) * rowStep + PixelBlock * s.StrideW;
        var image = RowSegmentsReadTheImage(s, paddedH, paddedW) ? x : ThreadBuffer(ref _segmentImage, (long)s.C * plane + slack);
        if (image != x)
        {
            PadImage(s, x, pad, image, paddedH, paddedW, slack);
        }

        // Each k's offset in the padded image from a block's first pixel; k past K reads a block of padding.
        var quads = (s.K + 3) / 4;
        Span<int> offsets = stackalloc int[quads * 4];
        // (ci, ky, kx) stepped rather than divided out of k: this runs per image, and a small image's whole gather costs a few divisions' worth.
        for (int k = 0, ci = 0, ky = 0, kx = 0; k < offsets.Length; k++)
        {
            offsets[k] = k < s.K ? ci * plane + ky * s.DilH * paddedW + kx : -1;
            if (++kx == s.KW)
            {
                kx = 0;
                if (++ky == s.KH)
                {
                    (ky, ci) = (0, ci + 1);
                }
            }
        }

        var padding = Vector128.Create(pad);
        var dst = interleaved;
        for (var p0 = 0; p0 < s.P; p0 += PixelBlock)
        {
            var origin = image + p0 / s.OW * s.StrideH * paddedW + p0 % s.OW * s.StrideW;
            for (var k = 0; k < offsets.Length; k += 4, dst += 64)
            {
                var a = Segment(origin, offsets[k], padding, width, rowStep, s.StrideW);
                var b = Segment(origin, offsets[k + 1], padding, width, rowStep, s.StrideW);
                var c = Segment(origin, offsets[k + 2], padding, width, rowStep, s.StrideW);
                var d = Segment(origin, offsets[k + 3], padding, width, rowStep, s.StrideW);
                StoreQuad(a, b, c, d, dst);
            }
        }
    }

    /// <summary>The image into <paramref name="image"/> (<c>[c, paddedH, paddedW]</c> and <paramref name="slack"/> bytes), the rest the zero point.</summary>
    private static unsafe void PadImage(in ConvShape s, byte* x, byte pad, byte* image, int paddedH, int paddedW, int slack)
    {
        var plane = paddedH * paddedW;
        new Span<byte>(image, s.C * plane + slack).Fill(pad);
        var (firstX, endX) = (Math.Max(0, -s.PadLeft), Math.Min(s.W, paddedW - s.PadLeft));
        var (firstY, endY) = (Math.Max(0, -s.PadTop), Math.Min(s.H, paddedH - s.PadTop));
        for (var ci = 0; ci < s.C && endX > firstX; ci++)
        {
            for (var iy = firstY; iy < endY; iy++)
            {
                Buffer.MemoryCopy(x + ((long)ci * s.H + iy) * s.W + firstX, image + ci * plane + (iy + s.PadTop) * paddedW + firstX + s.PadLeft, endX - firstX, endX - firstX);
            }
        }
    }

    /// <summary>A quad of 16 pixels from its four k's segments (a: k, … d: k + 3), transposed to 16 pixels × 4 bytes by byte then word unpacks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreQuad(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c, Vector128<byte> d, byte* dst)
    {
        var (ab0, ab1) = (Sse2.UnpackLow(a, b).AsUInt16(), Sse2.UnpackHigh(a, b).AsUInt16());
        var (cd0, cd1) = (Sse2.UnpackLow(c, d).AsUInt16(), Sse2.UnpackHigh(c, d).AsUInt16());
        Sse2.UnpackLow(ab0, cd0).AsByte().Store(dst);
        Sse2.UnpackHigh(ab0, cd0).AsByte().Store(dst + 16);
        Sse2.UnpackLow(ab1, cd1).AsByte().Store(dst + 32);
        Sse2.UnpackHigh(ab1, cd1).AsByte().Store(dst + 48);
    }

    /// <summary>
    /// A k's 16 pixels of a block: 16 bytes of one row, or 8 or 4 bytes of each of the block's rows (<paramref name="rowStep"/> apart),
    /// or with <paramref name="strideW"/> 2 the even bytes of 32 of one row (the low byte of each word, packed).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector128<byte> Segment(byte* origin, int offset, Vector128<byte> padding, int width, int rowStep, int strideW)
    {
        if (offset < 0)
        {
            return padding;
        }

        var p = origin + offset;
        if (strideW == 2)
        {
            var lowBytes = Vector128.Create((ushort)0x00FF);
            return Sse2.PackUnsignedSaturate((Vector128.Load(p).AsUInt16() & lowBytes).AsInt16(), (Vector128.Load(p + 16).AsUInt16() & lowBytes).AsInt16());
        }

        return width switch
        {
            PixelBlock => Vector128.Load(p),
            8 => Vector128.Create(Unsafe.ReadUnaligned<ulong>(p), Unsafe.ReadUnaligned<ulong>(p + rowStep)).AsByte(),
            _ => Vector128.Create(Unsafe.ReadUnaligned<uint>(p), Unsafe.ReadUnaligned<uint>(p + rowStep),
                Unsafe.ReadUnaligned<uint>(p + 2 * rowStep), Unsafe.ReadUnaligned<uint>(p + 3 * rowStep)).AsByte(),
        };
    }
}

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// 2-D max (<paramref name="kind"/> 0) or average (1) pooling over <paramref name="nc"/>
    /// planes <c>[h, w]</c> → <c>[oh, ow]</c>. Windows are clipped to the input (max, and
    /// average without <paramref name="countIncludePad"/>) or to the padded input
    /// (<c>h + padTop + padBottom</c>; average with it).
    /// </summary>
    public static void Pool(ReadOnlySpan<float> x, Span<float> y, int kind, int nc, int h, int w, int oh, int ow, int kh, int kw,
        int padTop, int padLeft, int padBottom, int padRight, int strideH, int strideW, int dilH, int dilW, int countIncludePad)
    {
        if (kind == 0 && kh == 2 && kw == 2 && strideH == 2 && strideW == 2 && dilH == 1 && dilW == 1 && padTop == 0 && padLeft == 0 && oh * 2 <= h && ow * 2 <= w)
        {
            MaxPool2x2(x, y, nc, h, w, oh, ow);
            return;
        }

        if (padTop == 0 && padLeft == 0 && dilW == 1 && (oh - 1) * strideH + (kh - 1) * dilH < h && (ow - 1) * strideW + kw <= Math.Min(w, MaxPoolSpan))
        {
            PoolInside(x, y, kind, nc, h, w, oh, ow, kh, kw, strideH, strideW, dilH);
            return;
        }

        for (var plane = 0; plane < nc; plane++)
        {
            var src = x.Slice(plane * h * w, h * w);
            var dst = y.Slice(plane * oh * ow, oh * ow);
            for (var oy = 0; oy < oh; oy++)
            {
                var y0 = oy * strideH - padTop;
                for (var ox = 0; ox < ow; ox++)
                {
                    var x0 = ox * strideW - padLeft;
                    var max = float.NegativeInfinity;
                    var sum = 0f;
                    var count = 0;
                    var padded = 0;
                    for (var ky = 0; ky < kh; ky++)
                    {
                        var iy = y0 + ky * dilH;
                        for (var kx = 0; kx < kw; kx++)
                        {
                            var ix = x0 + kx * dilW;
                            if ((uint)iy < (uint)h && (uint)ix < (uint)w)
                            {
                                var v = src[iy * w + ix];
                                max = MathF.Max(max, v);
                                sum += v;
                                count++;
                            }

                            if (iy < h + padBottom && ix < w + padRight)
                            {
                                padded++;
                            }
                        }
                    }

                    dst[oy * ow + ox] = kind == 0 ? max : sum / (countIncludePad != 0 ? padded : Math.Max(count, 1));
                }
            }
        }
    }

    /// <summary>The widest run of columns <see cref="PoolInside"/> reduces on the stack.</summary>
    private const int MaxPoolSpan = 4096;

    /// <summary>
    /// <see cref="Pool"/> where every window lies inside the input (no padding reached, columns
    /// undilated: OCR's 3×2/3×2 average): per output row, the window rows are reduced in vector
    /// passes into a stack row, then each output reduces its kw columns of that row. The divisor is
    /// kh·kw, as every window counts all its taps.
    /// </summary>
    private static void PoolInside(ReadOnlySpan<float> x, Span<float> y, int kind, int nc, int h, int w, int oh, int ow, int kh, int kw,
        int strideH, int strideW, int dilH)
    {
        var span = (ow - 1) * strideW + kw;
        Span<float> rows = stackalloc float[span];
        float count = kh * kw;
        for (var plane = 0; plane < nc; plane++)
        {
            var src = x.Slice(plane * h * w, h * w);
            var dst = y.Slice(plane * oh * ow, oh * ow);
            for (var oy = 0; oy < oh; oy++)
            {
                var top = oy * strideH;
                ReadOnlySpan<float> reduced = rows;
                if (kh == 1)
                {
                    // One window row: the columns reduce straight from the input.
                    reduced = src.Slice(top * w, span);
                }
                else
                {
                    src.Slice(top * w, span).CopyTo(rows);
                }

                for (var ky = 1; ky < kh; ky++)
                {
                    var row = src.Slice((top + ky * dilH) * w, span);
                    if (kind == 0)
                    {
                        TensorPrimitives.Max(rows, row, rows);
                    }
                    else
                    {
                        TensorPrimitives.Add(rows, row, rows);
                    }
                }

                var line = dst.Slice(oy * ow, ow);
                if (kind == 0 && kw == 2 && strideW == 2)
                {
                    MaxOfColumnPairs(reduced, line);
                    continue;
                }

                for (var ox = 0; ox < line.Length; ox++)
                {
                    var window = reduced.Slice(ox * strideW, kw);
                    line[ox] = kind == 0 ? TensorPrimitives.Max(window) : Sum(window) / count;
                }
            }
        }
    }

    /// <summary>The sum of a window's few columns, left to right.</summary>
    private static float Sum(ReadOnlySpan<float> window)
    {
        var sum = 0f;
        foreach (var v in window)
        {
            sum += v;
        }

        return sum;
    }

    /// <summary>The common 2×2/2 max pool without padding: every window lies inside the input.</summary>
    private static void MaxPool2x2(ReadOnlySpan<float> x, Span<float> y, int nc, int h, int w, int oh, int ow)
    {
        if (Avx2.IsSupported && oh * 2 == h && ow * 2 == w && w % 8 == 0)
        {
            MaxPool2x2Avx2(x, y, nc * oh, w);
            return;
        }

        if (KernelDispatch.Current.Fp32Gemm == KernelPath.Avx512F && oh * 2 == h && w == 4 && ow == 2)
        {
            // Four row pairs per two zmm loads; the rest (fewer than four) on the SSE quads.
            var done = nc * oh / 4 * 4;
            MaxPool2x2Avx512Width4(x, y, done);
            MaxPool2x2Sse(x[(done * 2 * w)..], y[(done * ow)..], nc * oh - done, w);
            return;
        }

        if (Avx2.IsSupported && oh * 2 == h && w == 4 && ow == 2)
        {
            var done = nc * oh / 4 * 4;
            MaxPool2x2Avx2Width4(x, y, done);
            MaxPool2x2Sse(x[(done * 2 * w)..], y[(done * ow)..], nc * oh - done, w);
            return;
        }

        if (Sse.IsSupported && oh * 2 == h && ow * 2 == w && w % 4 == 0)
        {
            MaxPool2x2Sse(x, y, nc * oh, w);
            return;
        }

        for (var plane = 0; plane < nc; plane++)
        {
            var src = x.Slice(plane * h * w, h * w);
            var dst = y.Slice(plane * oh * ow, oh * ow);
            for (var oy = 0; oy < oh; oy++)
            {
                var top = src.Slice(2 * oy * w, w);
                var bottom = src.Slice((2 * oy + 1) * w, w);
                var row = dst.Slice(oy * ow, ow);
                for (var ox = 0; ox < row.Length; ox++)
                {
                    row[ox] = MathF.Max(MathF.Max(top[2 * ox], top[2 * ox + 1]), MathF.Max(bottom[2 * ox], bottom[2 * ox + 1]));
                }
            }
        }
    }

    /// <summary>
    /// <see cref="MaxPool2x2"/> when the planes halve exactly and rows are whole quads: the output
    /// is then one flat run over the row pairs, four outputs per two quads of the vertical maxima
    /// (the quads may come from two row pairs when a row has only four floats).
    /// </summary>
    private static unsafe void MaxPool2x2Sse(ReadOnlySpan<float> x, Span<float> y, int rowPairs, int w)
    {
        var quadsPerRow = w / 4;
        var quads = rowPairs * quadsPerRow;
        fixed (float* px = x, py = y)
        {
            var q = 0;
            var dst = py;
            for (; q + 2 <= quads; q += 2, dst += 4)
            {
                var lo = VerticalMax(px, q, quadsPerRow, w);
                var hi = VerticalMax(px, q + 1, quadsPerRow, w);
                var even = Sse.Shuffle(lo, hi, 0b10_00_10_00);
                var odd = Sse.Shuffle(lo, hi, 0b11_01_11_01);
                Sse.Store(dst, Sse.Max(even, odd));
            }

            if (q < quads)
            {
                var last = VerticalMax(px, q, quadsPerRow, w);
                dst[0] = MathF.Max(last.GetElement(0), last.GetElement(1));
                dst[1] = MathF.Max(last.GetElement(2), last.GetElement(3));
            }
        }
    }

    /// <summary>
    /// <see cref="MaxPool2x2"/> when the planes halve exactly and rows are whole octets: per row pair
    /// and octet, the vertical maxima of eight columns give four outputs, which follow each other
    /// in the flat output as the octets do in the input's row pairs (no index arithmetic per octet).
    /// </summary>
    private static unsafe void MaxPool2x2Avx2(ReadOnlySpan<float> x, Span<float> y, int rowPairs, int w)
    {
        fixed (float* px = x, py = y)
        {
            var dst = py;
            for (var pair = 0; pair < rowPairs; pair++)
            {
                var top = px + (long)pair * 2 * w;
                for (var col = 0; col < w; col += 8, dst += 4)
                {
                    var v = Avx.Max(Avx.LoadVector256(top + col), Avx.LoadVector256(top + w + col));
                    // Even and odd columns per 128-bit lane: [m0 m1 m0 m1 | m2 m3 m2 m3]; the 64-bit elements 0 and 2 are the four maxima.
                    var m = Avx.Max(Avx.Shuffle(v, v, 0b10_00_10_00), Avx.Shuffle(v, v, 0b11_01_11_01));
                    Sse.Store(dst, Avx2.Permute4x64(m.AsDouble(), 0b00_00_10_00).AsSingle().GetLower());
                }
            }
        }
    }

    /// <summary>The corners of the 2×2 windows of four 4-wide row pairs (two zmm), one output per lane 0..7: window j is pair j / 2, columns 2 · (j % 2) and + 1.</summary>
    private static readonly int[] Width4Corners = Enumerable.Range(0, 4)
        .SelectMany(corner => Enumerable.Range(0, 16).Select(j => j < 8 ? j / 2 * 8 + j % 2 * 2 + corner % 2 + corner / 2 * 4 : 0)).ToArray();

    /// <summary>
    /// <see cref="MaxPool2x2"/> of 4-wide planes (a CNN's last 4×4 maps), <paramref name="rowPairs"/>
    /// a multiple of four: each four row pairs (32 floats) are two zmm, whose four window corners
    /// are gathered by two-source permutes into the eight outputs.
    /// </summary>
    private static unsafe void MaxPool2x2Avx512Width4(ReadOnlySpan<float> x, Span<float> y, int rowPairs)
    {
        fixed (float* px = x, py = y)
        fixed (int* corners = Width4Corners)
        {
            var (c0, c1, c2, c3) = (Avx512Ops.LoadVector512(corners), Avx512Ops.LoadVector512(corners + 16), Avx512Ops.LoadVector512(corners + 32), Avx512Ops.LoadVector512(corners + 48));
            for (var pair = 0; pair < rowPairs; pair += 4)
            {
                var lower = Avx512Ops.LoadVector512(px + (long)pair * 8);
                var upper = Avx512Ops.LoadVector512(px + (long)pair * 8 + 16);
                var top = Avx512Ops.Max(Avx512Ops.PermuteVar16x32x2(lower, c0, upper), Avx512Ops.PermuteVar16x32x2(lower, c1, upper));
                var bottom = Avx512Ops.Max(Avx512Ops.PermuteVar16x32x2(lower, c2, upper), Avx512Ops.PermuteVar16x32x2(lower, c3, upper));
                Avx.Store(py + (long)pair * 2, Avx512Ops.Max(top, bottom).GetLower());
            }
        }
    }

    /// <summary>
    /// <see cref="MaxPool2x2"/> of 4-wide planes on AVX2, <paramref name="rowPairs"/> a multiple of
    /// four: a row pair is one ymm (top row, bottom row), so four pairs are four loads whose halves,
    /// regrouped by lane permutes, give the vertical maxima; the even/odd column shuffles then give
    /// the eight outputs (pairs 0 and 2 in the lower lane, 1 and 3 in the upper, put in order by one 64-bit permute).
    /// </summary>
    private static unsafe void MaxPool2x2Avx2Width4(ReadOnlySpan<float> x, Span<float> y, int rowPairs)
    {
        fixed (float* px = x, py = y)
        {
            for (var pair = 0; pair < rowPairs; pair += 4)
            {
                var src = px + (long)pair * 8;
                Vector256<float> a = Avx.LoadVector256(src), b = Avx.LoadVector256(src + 8);
                Vector256<float> c = Avx.LoadVector256(src + 16), d = Avx.LoadVector256(src + 24);
                // [top a | top b] against [bottom a | bottom b]: the vertical maxima of pairs a and b.
                var ab = Avx.Max(Avx.Permute2x128(a, b, 0x20), Avx.Permute2x128(a, b, 0x31));
                var cd = Avx.Max(Avx.Permute2x128(c, d, 0x20), Avx.Permute2x128(c, d, 0x31));
                // Per lane: [a0 a2 c0 c2 | b0 b2 d0 d2] against the odd columns.
                var m = Avx.Max(Avx.Shuffle(ab, cd, 0b10_00_10_00), Avx.Shuffle(ab, cd, 0b11_01_11_01));
                Avx.Store(py + (long)pair * 2, Avx2.Permute4x64(m.AsDouble(), 0b11_01_10_00).AsSingle());
            }
        }
    }

    // Quad q of the vertical maxima: row pair q / quadsPerRow, columns 4·(q % quadsPerRow) onwards.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector128<float> VerticalMax(float* x, int q, int quadsPerRow, int w)
    {
        var top = x + (long)(q / quadsPerRow) * 2 * w + q % quadsPerRow * 4;
        return Sse.Max(Sse.LoadVector128(top), Sse.LoadVector128(top + w));
    }

    /// <summary>Max (<paramref name="kind"/> 0) or mean (1) of each of <paramref name="nc"/> planes of <paramref name="spatial"/> values.</summary>
    public static void GlobalPool(ReadOnlySpan<float> x, Span<float> y, int kind, int nc, int spatial)
    {
        for (var plane = 0; plane < nc; plane++)
        {
            var src = x.Slice(plane * spatial, spatial);
            y[plane] = kind == 0 ? System.Numerics.Tensors.TensorPrimitives.Max(src) : System.Numerics.Tensors.TensorPrimitives.Sum(src) / spatial;
        }
    }

    /// <summary>
    /// 2-D max pooling of uint8 (quantized) planes: max commutes with dequantization, so a
    /// DequantizeLinear → MaxPool → QuantizeLinear group with one scale and zero point runs here
    /// on the bytes. Windows are clipped to the input.
    /// </summary>
    public static void MaxPoolU8(ReadOnlySpan<byte> x, Span<byte> y, int nc, int h, int w, int oh, int ow, int kh, int kw,
        int padTop, int padLeft, int strideH, int strideW, int dilH, int dilW)
    {
        if (kh == 2 && kw == 2 && strideH == 2 && strideW == 2 && dilH == 1 && dilW == 1 && padTop == 0 && padLeft == 0 && oh * 2 == h && ow * 2 == w && w % 4 == 0)
        {
            MaxPoolU8Flat(x, y, nc * oh, w);
            return;
        }

        if (kh == 2 && kw == 2 && strideH == 2 && strideW == 2 && dilH == 1 && dilW == 1 && padTop == 0 && padLeft == 0 && oh * 2 <= h && ow * 2 <= w)
        {
            for (var plane = 0; plane < nc; plane++)
            {
                var src = x.Slice(plane * h * w, h * w);
                var dst = y.Slice(plane * oh * ow, oh * ow);
                for (var oy = 0; oy < oh; oy++)
                {
                    var top = src.Slice(2 * oy * w, 2 * ow);
                    var bottom = src.Slice((2 * oy + 1) * w, 2 * ow);
                    var row = dst.Slice(oy * ow, ow);
                    for (var ox = 0; ox < row.Length; ox++)
                    {
                        row[ox] = Math.Max(Math.Max(top[2 * ox], top[2 * ox + 1]), Math.Max(bottom[2 * ox], bottom[2 * ox + 1]));
                    }
                }
            }

            return;
        }

        for (var plane = 0; plane < nc; plane++)
        {
            var src = x.Slice(plane * h * w, h * w);
            var dst = y.Slice(plane * oh * ow, oh * ow);
            for (var oy = 0; oy < oh; oy++)
            {
                var y0 = oy * strideH - padTop;
                for (var ox = 0; ox < ow; ox++)
                {
                    var x0 = ox * strideW - padLeft;
                    byte max = 0;
                    for (var ky = 0; ky < kh; ky++)
                    {
                        var iy = y0 + ky * dilH;
                        if ((uint)iy >= (uint)h)
                        {
                            continue;
                        }

                        for (var kx = 0; kx < kw; kx++)
                        {
                            var ix = x0 + kx * dilW;
                            if ((uint)ix < (uint)w && src[iy * w + ix] > max)
                            {
                                max = src[iy * w + ix];
                            }
                        }
                    }

                    dst[oy * ow + ox] = max;
                }
            }
        }
    }

    /// <summary>
    /// The 2×2/2 uint8 max pool of planes that halve exactly, rows of whole 4-byte groups: like
    /// <see cref="MaxPool2x2Sse"/>, one flat run of vertical maxima (four groups, possibly from
    /// several row pairs, per vector), then the maximum of each byte pair.
    /// </summary>
    private static unsafe void MaxPoolU8Flat(ReadOnlySpan<byte> x, Span<byte> y, int rowPairs, int w)
    {
        var groupsPerRow = w / 4;
        var groups = rowPairs * groupsPerRow;
        var low = Vector128.Create((ushort)0xFF);
        fixed (byte* px = x, py = y)
        {
            var g = 0;
            var dst = py;
            for (; g + 4 <= groups; g += 4, dst += 8)
            {
                var top = Vector128.Create(Group(px, g, groupsPerRow, w, 0), Group(px, g + 1, groupsPerRow, w, 0),
                    Group(px, g + 2, groupsPerRow, w, 0), Group(px, g + 3, groupsPerRow, w, 0)).AsByte();
                var bottom = Vector128.Create(Group(px, g, groupsPerRow, w, w), Group(px, g + 1, groupsPerRow, w, w),
                    Group(px, g + 2, groupsPerRow, w, w), Group(px, g + 3, groupsPerRow, w, w)).AsByte();
                var pairs = Vector128.Max(top, bottom).AsUInt16();
                var max = Vector128.Max(pairs & low, Vector128.ShiftRightLogical(pairs, 8));
                Unsafe.WriteUnaligned(dst, Vector128.Narrow(max, max).AsUInt64().ToScalar());
            }

            for (; g < groups; g++, dst += 2)
            {
                var top = px + (long)(g / groupsPerRow) * 2 * w + g % groupsPerRow * 4;
                dst[0] = Math.Max(Math.Max(top[0], top[1]), Math.Max(top[w], top[w + 1]));
                dst[1] = Math.Max(Math.Max(top[2], top[3]), Math.Max(top[w + 2], top[w + 3]));
            }
        }
    }

    // Four bytes of group g (row pair g / groupsPerRow, columns 4·(g % groupsPerRow) onwards), from the top row or, with offset w, the bottom one.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe uint Group(byte* x, int g, int groupsPerRow, int w, int offset) =>
        Unsafe.ReadUnaligned<uint>(x + (long)(g / groupsPerRow) * 2 * w + g % groupsPerRow * 4 + offset);
}

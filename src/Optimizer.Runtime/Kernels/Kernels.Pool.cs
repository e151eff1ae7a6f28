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

    /// <summary>The common 2×2/2 max pool without padding: every window lies inside the input.</summary>
    private static void MaxPool2x2(ReadOnlySpan<float> x, Span<float> y, int nc, int h, int w, int oh, int ow)
    {
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
}

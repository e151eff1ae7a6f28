namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// 2-D transposed convolution: x <c>[batch, inC, inH, inW]</c>, w <c>[inC, outC/groups, kH, kW]</c>,
    /// bias <c>[outC]</c> or empty, y <c>[batch, outC, outH, outW]</c>. Each input pixel scatters
    /// its kernel-weighted value to <c>y[ih·stride − padBegin + k·dilation]</c>.
    /// </summary>
    public static void ConvTranspose(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y,
        int batch, int inC, int inH, int inW, int outC, int outH, int outW, int groups, int kH, int kW,
        int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW)
    {
        var inPerGroup = inC / groups;
        var outPerGroup = outC / groups;
        var outPlane = outH * outW;
        for (var n = 0; n < batch; n++)
        {
            var image = y.Slice(n * outC * outPlane, outC * outPlane);
            for (var oc = 0; oc < outC; oc++)
            {
                image.Slice(oc * outPlane, outPlane).Fill(bias.IsEmpty ? 0f : bias[oc]);
            }

            for (var ic = 0; ic < inC; ic++)
            {
                var g = ic / inPerGroup;
                var plane = x.Slice((n * inC + ic) * inH * inW, inH * inW);
                for (var ocg = 0; ocg < outPerGroup; ocg++)
                {
                    var oc = g * outPerGroup + ocg;
                    var kernel = w.Slice((ic * outPerGroup + ocg) * kH * kW, kH * kW);
                    var dst = image.Slice(oc * outPlane, outPlane);
                    for (var ih = 0; ih < inH; ih++)
                    for (var iw = 0; iw < inW; iw++)
                    {
                        var v = plane[ih * inW + iw];
                        for (var ky = 0; ky < kH; ky++)
                        {
                            var oh = ih * strideH - padTop + ky * dilationH;
                            if ((uint)oh >= (uint)outH)
                            {
                                continue;
                            }

                            for (var kx = 0; kx < kW; kx++)
                            {
                                var ow = iw * strideW - padLeft + kx * dilationW;
                                if ((uint)ow < (uint)outW)
                                {
                                    dst[oh * outW + ow] += v * kernel[ky * kW + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

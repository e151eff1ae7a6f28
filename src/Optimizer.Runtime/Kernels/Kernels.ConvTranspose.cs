using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// 2-D transposed convolution: x <c>[batch, inC, inH, inW]</c>, w <c>[inC, outC/groups, kH, kW]</c>,
    /// bias <c>[outC]</c> or empty, y <c>[batch, outC, outH, outW]</c>. Each input pixel scatters
    /// its kernel-weighted value to <c>y[ih·stride − padBegin + k·dilation]</c>.
    /// </summary>
    public static unsafe void ConvTranspose(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y,
        int batch, int inC, int inH, int inW, int outC, int outH, int outW, int groups, int kH, int kW,
        int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW)
    {
        if (Fma.IsSupported)
        {
            var shape = new ConvTransposeShape(inC, inH, inW, outC, outH, outW, groups, kH, kW, strideH, strideW, padTop, padLeft, dilationH, dilationW);
            if (RunsAsTwoWide(shape))
            {
                fixed (float* px = x, pw = w, pb = bias, py = y)
                {
                    ConvTransposeTwoWide(px, pw, bias.IsEmpty ? null : pb, py, shape, batch);
                }

                return;
            }

            ConvTransposeFma(x, w, bias, y, shape, batch);
            return;
        }

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

    internal readonly record struct ConvTransposeShape(int InC, int InH, int InW, int OutC, int OutH, int OutW, int Groups, int KH, int KW,
        int StrideH, int StrideW, int PadTop, int PadLeft, int DilationH, int DilationW)
    {
        public int InPerGroup => InC / Groups;

        public int OutPerGroup => OutC / Groups;

        public int Taps => KH * KW;
    }

    /// <summary>
    /// <see cref="ConvTranspose"/> gathering instead of scattering per input channel: per output
    /// channel, up to four kernel taps and eight input pixels of a row, the sum over the group's
    /// input channels runs in four FMA chains (each input vector loaded once for the four taps);
    /// only those sums are scattered (added) to their strided output pixels, one add per tap and
    /// pixel instead of one per input channel as well.
    /// </summary>
    [SkipLocalsInit]
    private static unsafe void ConvTransposeFma(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, in ConvTransposeShape s, int batch)
    {
        var outPlane = s.OutH * s.OutW;
        var inPlane = s.InH * s.InW;
        var sums = stackalloc float[4 * 8];
        var tail = stackalloc float[8];
        fixed (float* px = x, pw = w, py = y)
        {
            for (var n = 0; n < batch; n++)
            {
                for (var oc = 0; oc < s.OutC; oc++)
                {
                    var dst = py + ((long)n * s.OutC + oc) * outPlane;
                    new Span<float>(dst, outPlane).Fill(bias.IsEmpty ? 0f : bias[oc]);
                    var (g, ocg) = (oc / s.OutPerGroup, oc % s.OutPerGroup);
                    var xg = px + ((long)n * s.InC + g * s.InPerGroup) * inPlane;
                    // Weight of input channel icg of the group and tap t: wg[icg · stride + t].
                    var wg = pw + ((long)g * s.InPerGroup * s.OutPerGroup + ocg) * s.Taps;
                    var wStride = s.OutPerGroup * s.Taps;
                    for (var t0 = 0; t0 < s.Taps; t0 += 4)
                    {
                        var taps = Math.Min(4, s.Taps - t0);
                        for (var ih = 0; ih < s.InH; ih++)
                        {
                            for (var iw0 = 0; iw0 < s.InW; iw0 += 8)
                            {
                                var width = Math.Min(8, s.InW - iw0);
                                SumOverInputChannels(xg + (long)ih * s.InW + iw0, inPlane, s.InPerGroup, wg + t0, wStride, taps, width, sums, tail);
                                ScatterTapSums(s, sums, taps, t0, ih, iw0, width, dst);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>sums[t · 8 + j] = Σ over the group's input channels of x[ic, pixel j] · w[ic, tap t] (taps past <paramref name="taps"/> repeat tap 0).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void SumOverInputChannels(float* x, int inPlane, int channels, float* w, int wStride, int taps, int width, float* sums, float* tail)
    {
        var (o1, o2, o3) = (taps > 1 ? 1 : 0, taps > 2 ? 2 : 0, taps > 3 ? 3 : 0);
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (var ic = 0; ic < channels; ic++, x += inPlane, w += wStride)
        {
            Vector256<float> v;
            if (width == 8)
            {
                v = Avx.LoadVector256(x);
            }
            else
            {
                // The row's last pixels: read no further than the row.
                Vector256<float>.Zero.Store(tail);
                for (var j = 0; j < width; j++)
                {
                    tail[j] = x[j];
                }

                v = Avx.LoadVector256(tail);
            }

            c0 = Fma.MultiplyAdd(Vector256.Create(w[0]), v, c0);
            c1 = Fma.MultiplyAdd(Vector256.Create(w[o1]), v, c1);
            c2 = Fma.MultiplyAdd(Vector256.Create(w[o2]), v, c2);
            c3 = Fma.MultiplyAdd(Vector256.Create(w[o3]), v, c3);
        }

        c0.Store(sums);
        c1.Store(sums + 8);
        c2.Store(sums + 16);
        c3.Store(sums + 24);
    }

    /// <summary>Adds each tap's sums to the output pixels they land on (skipping those outside the output).</summary>
    private static unsafe void ScatterTapSums(in ConvTransposeShape s, float* sums, int taps, int t0, int ih, int iw0, int width, float* dst)
    {
        for (var t = 0; t < taps; t++)
        {
            var (ky, kx) = Math.DivRem(t0 + t, s.KW);
            var oh = ih * s.StrideH - s.PadTop + ky * s.DilationH;
            if ((uint)oh >= (uint)s.OutH)
            {
                continue;
            }

            var row = dst + (long)oh * s.OutW;
            var ow = iw0 * s.StrideW - s.PadLeft + kx * s.DilationW;
            for (var j = 0; j < width; j++, ow += s.StrideW)
            {
                if ((uint)ow < (uint)s.OutW)
                {
                    row[ow] += sums[t * 8 + j];
                }
            }
        }
    }
}

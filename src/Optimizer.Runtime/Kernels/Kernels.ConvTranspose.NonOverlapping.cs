using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Whether <see cref="ConvTransposeTwoWide"/> runs <paramref name="s"/>: a kernel two wide
    /// with stride equal to the kernel, no padding or dilation, and the output exactly the
    /// strided input (PaddleOCR's 2×2 stride-2 upsampling). Then each output pixel receives
    /// exactly one input pixel times one tap: nothing overlaps, nothing needs adding to the output.
    /// </summary>
    private static bool RunsAsTwoWide(in ConvTransposeShape s) =>
        s.KW == 2 && s.StrideW == 2 && s.StrideH == s.KH && s.PadTop == 0 && s.PadLeft == 0 && s.DilationH == 1 && s.DilationW == 1
        && s.OutH == s.InH * s.KH && s.OutW == 2 * s.InW;

    /// <summary>
    /// <see cref="ConvTranspose"/> where no outputs overlap (<see cref="RunsAsTwoWide"/>): per
    /// four output channels, kernel row and run of eight input pixels, the eight sums over the
    /// group's input channels (four channels × the two taps of the row) run in registers; the two
    /// taps' sums are interleaved into sixteen consecutive output pixels and stored once with the
    /// bias. The sums run over the input channels in order, then the bias: the scatter's bits.
    /// </summary>
    [SkipLocalsInit]
    private static unsafe void ConvTransposeTwoWide(float* x, float* w, float* bias, float* y, in ConvTransposeShape s, int batch)
    {
        var inPlane = s.InH * s.InW;
        var outPlane = s.OutH * s.OutW;
        var wStride = s.OutPerGroup * s.Taps;
        for (var n = 0; n < batch; n++)
        {
            for (var oc = 0; oc < s.OutC;)
            {
                var (g, ocg) = (oc / s.OutPerGroup, oc % s.OutPerGroup);
                // Four channels of one group at a time, the group's last ones one by one.
                var channels = ocg + 4 <= s.OutPerGroup ? 4 : 1;
                var xg = x + ((long)n * s.InC + g * s.InPerGroup) * inPlane;
                var wg = w + ((long)g * s.InPerGroup * s.OutPerGroup + ocg) * s.Taps;
                var yc = y + ((long)n * s.OutC + oc) * outPlane;
                for (var ky = 0; ky < s.KH; ky++)
                {
                    for (var ih = 0; ih < s.InH; ih++)
                    {
                        var xr = xg + (long)ih * s.InW;
                        var yr = yc + (long)(ih * s.KH + ky) * s.OutW;
                        var iw = 0;
                        for (; iw + 8 <= s.InW; iw += 8)
                        {
                            if (channels == 4)
                            {
                                FourChannelsTwoTaps(xr + iw, inPlane, s.InPerGroup, wg + 2 * ky, wStride, s.Taps, bias == null ? null : bias + oc, yr + 2 * iw, outPlane);
                            }
                            else
                            {
                                OneChannelTwoTaps(xr + iw, inPlane, s.InPerGroup, wg + 2 * ky, wStride, bias == null ? 0f : bias[oc], yr + 2 * iw);
                            }
                        }

                        for (; iw < s.InW; iw++)
                        {
                            // The row's last pixels: scalar, in the same order.
                            for (var c = 0; c < channels; c++)
                            {
                                float left = 0f, right = 0f;
                                var wc = wg + c * s.Taps + 2 * ky;
                                for (var ic = 0; ic < s.InPerGroup; ic++)
                                {
                                    var v = xr[(long)ic * inPlane + iw];
                                    left = MathF.FusedMultiplyAdd(v, wc[(long)ic * wStride], left);
                                    right = MathF.FusedMultiplyAdd(v, wc[(long)ic * wStride + 1], right);
                                }

                                var b = bias == null ? 0f : bias[oc + c];
                                yr[(long)c * outPlane + 2 * iw] = left + b;
                                yr[(long)c * outPlane + 2 * iw + 1] = right + b;
                            }
                        }
                    }
                }

                oc += channels;
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void FourChannelsTwoTaps(float* x, int inPlane, int inChannels, float* w, int wStride, int taps, float* bias, float* y, int outPlane)
    {
        Vector256<float> l0 = default, r0 = default, l1 = default, r1 = default, l2 = default, r2 = default, l3 = default, r3 = default;
        float* w1 = w + taps, w2 = w + 2 * taps, w3 = w + 3 * taps;
        for (var ic = 0; ic < inChannels; ic++, x += inPlane)
        {
            var v = Avx.LoadVector256(x);
            var o = (long)ic * wStride;
            l0 = Fma.MultiplyAdd(v, Vector256.Create(w[o]), l0); r0 = Fma.MultiplyAdd(v, Vector256.Create(w[o + 1]), r0);
            l1 = Fma.MultiplyAdd(v, Vector256.Create(w1[o]), l1); r1 = Fma.MultiplyAdd(v, Vector256.Create(w1[o + 1]), r1);
            l2 = Fma.MultiplyAdd(v, Vector256.Create(w2[o]), l2); r2 = Fma.MultiplyAdd(v, Vector256.Create(w2[o + 1]), r2);
            l3 = Fma.MultiplyAdd(v, Vector256.Create(w3[o]), l3); r3 = Fma.MultiplyAdd(v, Vector256.Create(w3[o + 1]), r3);
        }

        StoreInterleaved(l0, r0, bias == null ? 0f : bias[0], y);
        StoreInterleaved(l1, r1, bias == null ? 0f : bias[1], y + outPlane);
        StoreInterleaved(l2, r2, bias == null ? 0f : bias[2], y + 2L * outPlane);
        StoreInterleaved(l3, r3, bias == null ? 0f : bias[3], y + 3L * outPlane);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void OneChannelTwoTaps(float* x, int inPlane, int inChannels, float* w, int wStride, float bias, float* y)
    {
        Vector256<float> left = default, right = default;
        for (var ic = 0; ic < inChannels; ic++, x += inPlane)
        {
            var v = Avx.LoadVector256(x);
            var o = (long)ic * wStride;
            left = Fma.MultiplyAdd(v, Vector256.Create(w[o]), left);
            right = Fma.MultiplyAdd(v, Vector256.Create(w[o + 1]), right);
        }

        StoreInterleaved(left, right, bias, y);
    }

    /// <summary>Stores <c>left[0], right[0], left[1], right[1], …</c> (16 floats), each plus <paramref name="bias"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreInterleaved(Vector256<float> left, Vector256<float> right, float bias, float* y)
    {
        var b = Vector256.Create(bias);
        left += b;
        right += b;
        // Per 128-bit lane: low = l0 r0 l1 r1 | l4 r4 l5 r5, high = l2 r2 l3 r3 | l6 r6 l7 r7.
        var low = Avx.UnpackLow(left, right);
        var high = Avx.UnpackHigh(left, right);
        Avx.Store(y, Avx.Permute2x128(low, high, 0x20));
        Avx.Store(y + 8, Avx.Permute2x128(low, high, 0x31));
    }
}

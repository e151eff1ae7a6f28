using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// The most im2col rows (<c>C/group · KH · KW</c>) a convolution may have to run as
    /// <see cref="ConvSmallK"/>: first layers over one or a few channels (a 3×3 kernel on one
    /// channel is 9). With so few k steps the GEMM tiles spend more time storing and reloading
    /// their accumulator tile than multiplying.
    /// </summary>
    internal const int SmallConvK = 16;

    /// <summary>Whether <see cref="ConvSmallK"/> runs a convolution of <paramref name="k"/> im2col rows on this CPU's fp32 path.</summary>
    internal static bool RunsAsSmallK(int k) =>
        k <= SmallConvK && KernelDispatch.Current.Fp32Gemm is KernelPath.Avx512F or KernelPath.Avx2Fma;

    /// <summary>
    /// <c>y = act(W · packed + bias)</c> for one image and group straight from the packed im2col
    /// panels: per panel of 16 pixels, eight (AVX-512, the last pass fewer) or four output channels at a time, the bias and the activation
    /// applied in registers before the one store. The FMAs run in the GEMM tiles' order (k
    /// ascending from zero, then the bias), so the results are the same bits.
    /// </summary>
    [SkipLocalsInit]
    internal static unsafe void ConvSmallK(float* packed, float* weights, float* bias, float* y, int k, int p, int m, int act, float actMin, float actMax, int ldc)
    {
        var tail = stackalloc float[PanelWidth];
        var panels = (p + PanelWidth - 1) / PanelWidth;
        var epilogue = new SmallKEpilogue(bias, act, actMin, actMax);
        var avx512 = KernelDispatch.Current.Fp32Gemm == KernelPath.Avx512F;
        for (var panel = 0; panel < panels; panel++)
        {
            var columns = packed + (long)panel * PanelWidth * k;
            var pixel = panel * PanelWidth;
            var width = Math.Min(PanelWidth, p - pixel);
            var oc = 0;
            if (avx512)
            {
                // Eight independent accumulator chains hide the FMA latency over so few k steps; the last pass may hold fewer channels.
                for (; oc < m; oc += 8)
                {
                    ChannelsAvx512(columns, weights + (long)oc * k, k, y + (long)oc * ldc + pixel, ldc, width, oc, Math.Min(8, m - oc), epilogue, tail);
                }

                continue;
            }

            for (; oc + 4 <= m; oc += 4)
            {
                FourChannelsAvx2(columns, weights + (long)oc * k, k, y + (long)oc * ldc + pixel, ldc, width, oc, epilogue, tail);
            }

            for (; oc < m; oc++)
            {
                OneChannel(columns, weights + (long)oc * k, k, y + (long)oc * ldc + pixel, width, oc, epilogue, tail);
            }
        }
    }

    /// <summary>Bias per output channel and the fused <see cref="EpilogueActivation"/>, as the GEMM tiles apply them.</summary>
    private readonly unsafe struct SmallKEpilogue(float* bias, int act, float actMin, float actMax)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Apply(Vector512<float> x, int channel)
        {
            if (bias != null)
            {
                x += Vector512.Create(bias[channel]);
            }

            return ApplyEpilogue(x, act, actMin, actMax);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> Apply(Vector256<float> x, int channel)
        {
            if (bias != null)
            {
                x += Vector256.Create(bias[channel]);
            }

            return ApplyEpilogue(x, act, actMin, actMax);
        }

        public float Apply(float x, int channel)
        {
            x += bias != null ? bias[channel] : 0f;
            return ApplyEpilogue(x, act, actMin, actMax);
        }
    }

    /// <summary>Up to eight channels (<paramref name="channels"/>) of one panel; rows past the last re-read row 0 (in bounds) and are not stored.</summary>
    private static unsafe void ChannelsAvx512(float* columns, float* w, int k, float* y, int p, int width, int oc, int channels, in SmallKEpilogue epilogue, float* tail)
    {
        float* w1 = channels > 1 ? w + k : w, w2 = channels > 2 ? w + 2L * k : w, w3 = channels > 3 ? w + 3L * k : w,
            w4 = channels > 4 ? w + 4L * k : w, w5 = channels > 5 ? w + 5L * k : w, w6 = channels > 6 ? w + 6L * k : w, w7 = channels > 7 ? w + 7L * k : w;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (var kk = 0; kk < k; kk++)
        {
            var column = Avx512Ops.LoadVector512(columns + kk * PanelWidth);
            c0 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(w[kk]), column, c0);
            c1 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(w1[kk]), column, c1);
            c2 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(w2[kk]), column, c2);
            c3 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(w3[kk]), column, c3);
            c4 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(w4[kk]), column, c4);
            c5 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(w5[kk]), column, c5);
            c6 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(w6[kk]), column, c6);
            c7 = Avx512Ops.FusedMultiplyAdd(Vector512.Create(w7[kk]), column, c7);
        }

        StoreRow512(epilogue.Apply(c0, oc), y, width, tail);
        if (channels > 1) StoreRow512(epilogue.Apply(c1, oc + 1), y + p, width, tail);
        if (channels > 2) StoreRow512(epilogue.Apply(c2, oc + 2), y + 2L * p, width, tail);
        if (channels > 3) StoreRow512(epilogue.Apply(c3, oc + 3), y + 3L * p, width, tail);
        if (channels > 4) StoreRow512(epilogue.Apply(c4, oc + 4), y + 4L * p, width, tail);
        if (channels > 5) StoreRow512(epilogue.Apply(c5, oc + 5), y + 5L * p, width, tail);
        if (channels > 6) StoreRow512(epilogue.Apply(c6, oc + 6), y + 6L * p, width, tail);
        if (channels > 7) StoreRow512(epilogue.Apply(c7, oc + 7), y + 7L * p, width, tail);
    }

    private static unsafe void FourChannelsAvx2(float* columns, float* w, int k, float* y, int p, int width, int oc, in SmallKEpilogue epilogue, float* tail)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (var kk = 0; kk < k; kk++)
        {
            var lo = Avx.LoadVector256(columns + kk * PanelWidth);
            var hi = Avx.LoadVector256(columns + kk * PanelWidth + 8);
            var v = Vector256.Create(w[kk]);
            c00 = Fma.MultiplyAdd(v, lo, c00); c01 = Fma.MultiplyAdd(v, hi, c01);
            v = Vector256.Create(w[k + kk]);
            c10 = Fma.MultiplyAdd(v, lo, c10); c11 = Fma.MultiplyAdd(v, hi, c11);
            v = Vector256.Create(w[2 * k + kk]);
            c20 = Fma.MultiplyAdd(v, lo, c20); c21 = Fma.MultiplyAdd(v, hi, c21);
            v = Vector256.Create(w[3 * k + kk]);
            c30 = Fma.MultiplyAdd(v, lo, c30); c31 = Fma.MultiplyAdd(v, hi, c31);
        }

        StoreRow256(epilogue.Apply(c00, oc), epilogue.Apply(c01, oc), y, width, tail);
        StoreRow256(epilogue.Apply(c10, oc + 1), epilogue.Apply(c11, oc + 1), y + p, width, tail);
        StoreRow256(epilogue.Apply(c20, oc + 2), epilogue.Apply(c21, oc + 2), y + 2L * p, width, tail);
        StoreRow256(epilogue.Apply(c30, oc + 3), epilogue.Apply(c31, oc + 3), y + 3L * p, width, tail);
    }

    /// <summary>A last channel on AVX2 (fewer than four left): scalar, in the same order.</summary>
    private static unsafe void OneChannel(float* columns, float* w, int k, float* y, int width, int oc, in SmallKEpilogue epilogue, float* tail)
    {
        for (var j = 0; j < width; j++)
        {
            var sum = 0f;
            for (var kk = 0; kk < k; kk++)
            {
                sum = MathF.FusedMultiplyAdd(w[kk], columns[kk * PanelWidth + j], sum);
            }

            y[j] = epilogue.Apply(sum, oc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow512(Vector512<float> row, float* y, int width, float* tail)
    {
        if (width == PanelWidth)
        {
            Avx512Ops.Store(y, row);
            return;
        }

        Avx512Ops.Store(tail, row);
        CopyTail(tail, y, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow256(Vector256<float> lo, Vector256<float> hi, float* y, int width, float* tail)
    {
        if (width == PanelWidth)
        {
            Avx.Store(y, lo);
            Avx.Store(y + 8, hi);
            return;
        }

        Avx.Store(tail, lo);
        Avx.Store(tail + 8, hi);
        CopyTail(tail, y, width);
    }

    // A plain loop, not a span copy: a call here makes the JIT keep the accumulators on the
    // stack and store them on every k step (they are live across it).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyTail(float* tail, float* y, int width)
    {
        for (var j = 0; j < width; j++)
        {
            y[j] = tail[j];
        }
    }
}

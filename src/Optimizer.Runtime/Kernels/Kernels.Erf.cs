using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // erf as Eigen's rational approximation (x clamped to [-4, 4]; a few ulp from the true value):
    // x · P(x²) / Q(x²), highest power first. Every path evaluates it with the same fused
    // multiply-adds in the same order, so the 512-bit, 256-bit and scalar results are identical.
    private static ReadOnlySpan<float> ErfNumerator => [-2.72614225801306e-10f, 2.77068142495902e-08f, -2.10102402082508e-06f,
        -5.69250639462346e-05f, -7.34990630326855e-04f, -2.95459980854025e-03f, -1.60960333262415e-02f];

    private static ReadOnlySpan<float> ErfDenominator => [-1.45660718464996e-05f, -2.13374055278905e-04f, -1.68282697438203e-03f,
        -7.37332916720468e-03f, -1.42647390514189e-02f];

    private const float InverseSqrt2 = 0.70710678118654752f;

    /// <summary><c>y = erf(x)</c>, or the exact GELU <c>x · (1 + erf(x / √2)) / 2</c> when <paramref name="gelu"/>; y may alias x.</summary>
    private static void ErfOrGelu(ReadOnlySpan<float> x, Span<float> y, bool gelu)
    {
        var i = 0;
        if (KernelDispatch.Current.Elementwise == KernelPath.Vector512)
        {
            for (; i + Vector512<float>.Count <= x.Length; i += Vector512<float>.Count)
            {
                var v = Vector512.Create(x.Slice(i, Vector512<float>.Count));
                var e = Erf512(gelu ? v * InverseSqrt2 : v);
                (gelu ? (e + Vector512<float>.One) * v * 0.5f : e).CopyTo(y.Slice(i));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
            {
                var v = Vector256.Create(x.Slice(i, Vector256<float>.Count));
                var e = Erf256(gelu ? v * InverseSqrt2 : v);
                (gelu ? (e + Vector256<float>.One) * v * 0.5f : e).CopyTo(y.Slice(i));
            }
        }

        for (; i < x.Length; i++)
        {
            var v = x[i];
            var e = ErfScalar(gelu ? v * InverseSqrt2 : v);
            y[i] = gelu ? (e + 1f) * v * 0.5f : e;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Erf512(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-4f)), Vector512.Create(4f));
        return Horner512(x * x, ErfNumerator) * x / Horner512(x * x, ErfDenominator);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Horner512(Vector512<float> x, ReadOnlySpan<float> coefficients)
    {
        var r = Vector512.Create(coefficients[0]);
        for (var i = 1; i < coefficients.Length; i++)
        {
            r = Vector512.FusedMultiplyAdd(r, x, Vector512.Create(coefficients[i]));
        }

        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Erf256(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-4f)), Vector256.Create(4f));
        return Horner256(x * x, ErfNumerator) * x / Horner256(x * x, ErfDenominator);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Horner256(Vector256<float> x, ReadOnlySpan<float> coefficients)
    {
        var r = Vector256.Create(coefficients[0]);
        for (var i = 1; i < coefficients.Length; i++)
        {
            r = Vector256.FusedMultiplyAdd(r, x, Vector256.Create(coefficients[i]));
        }

        return r;
    }

    private static float ErfScalar(float x)
    {
        x = MathF.Min(MathF.Max(x, -4f), 4f);
        var (p, q) = (ErfNumerator[0], ErfDenominator[0]);
        for (var i = 1; i < ErfNumerator.Length; i++)
        {
            p = MathF.FusedMultiplyAdd(p, x * x, ErfNumerator[i]);
        }

        for (var i = 1; i < ErfDenominator.Length; i++)
        {
            q = MathF.FusedMultiplyAdd(q, x * x, ErfDenominator[i]);
        }

        return p * x / q;
    }
}

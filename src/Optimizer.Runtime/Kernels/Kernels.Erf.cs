using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // erf as Eigen's rational approximation (x clamped to [-4, 4]; a few ulp from the true value):
    // x · P(x²) / Q(x²), highest power first. Every path evaluates it with the same fused
    // multiply-adds in the same order, so the 512-bit, 256-bit and scalar results are identical.
    private const float ErfP0 = -2.72614225801306e-10f, ErfP1 = 2.77068142495902e-08f, ErfP2 = -2.10102402082508e-06f,
        ErfP3 = -5.69250639462346e-05f, ErfP4 = -7.34990630326855e-04f, ErfP5 = -2.95459980854025e-03f, ErfP6 = -1.60960333262415e-02f;

    private const float ErfQ0 = -1.45660718464996e-05f, ErfQ1 = -2.13374055278905e-04f, ErfQ2 = -1.68282697438203e-03f,
        ErfQ3 = -7.37332916720468e-03f, ErfQ4 = -1.42647390514189e-02f;

    private const float InverseSqrt2 = 0.70710678118654752f;

    /// <summary><c>y = erf(x)</c>, or the exact GELU <c>x · (1 + erf(x / √2)) / 2</c> when <paramref name="gelu"/>; y may alias x.</summary>
    private static void ErfOrGelu(ReadOnlySpan<float> x, Span<float> y, bool gelu)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
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
        var x2 = x * x;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(ErfP0), x2, Vector512.Create(ErfP1));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(ErfP2));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(ErfP3));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(ErfP4));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(ErfP5));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(ErfP6));
        var q = Vector512.FusedMultiplyAdd(Vector512.Create(ErfQ0), x2, Vector512.Create(ErfQ1));
        q = Vector512.FusedMultiplyAdd(q, x2, Vector512.Create(ErfQ2));
        q = Vector512.FusedMultiplyAdd(q, x2, Vector512.Create(ErfQ3));
        q = Vector512.FusedMultiplyAdd(q, x2, Vector512.Create(ErfQ4));
        return p * x / q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Erf256(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-4f)), Vector256.Create(4f));
        var x2 = x * x;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(ErfP0), x2, Vector256.Create(ErfP1));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(ErfP2));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(ErfP3));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(ErfP4));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(ErfP5));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(ErfP6));
        var q = Vector256.FusedMultiplyAdd(Vector256.Create(ErfQ0), x2, Vector256.Create(ErfQ1));
        q = Vector256.FusedMultiplyAdd(q, x2, Vector256.Create(ErfQ2));
        q = Vector256.FusedMultiplyAdd(q, x2, Vector256.Create(ErfQ3));
        q = Vector256.FusedMultiplyAdd(q, x2, Vector256.Create(ErfQ4));
        return p * x / q;
    }

    private static float ErfScalar(float x)
    {
        x = MathF.Min(MathF.Max(x, -4f), 4f);
        var x2 = x * x;
        var p = MathF.FusedMultiplyAdd(ErfP0, x2, ErfP1);
        p = MathF.FusedMultiplyAdd(p, x2, ErfP2);
        p = MathF.FusedMultiplyAdd(p, x2, ErfP3);
        p = MathF.FusedMultiplyAdd(p, x2, ErfP4);
        p = MathF.FusedMultiplyAdd(p, x2, ErfP5);
        p = MathF.FusedMultiplyAdd(p, x2, ErfP6);
        var q = MathF.FusedMultiplyAdd(ErfQ0, x2, ErfQ1);
        q = MathF.FusedMultiplyAdd(q, x2, ErfQ2);
        q = MathF.FusedMultiplyAdd(q, x2, ErfQ3);
        q = MathF.FusedMultiplyAdd(q, x2, ErfQ4);
        return p * x / q;
    }
}

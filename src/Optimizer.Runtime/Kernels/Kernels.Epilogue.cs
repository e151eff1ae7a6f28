using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// The activation an epilogue applies after the bias: the <c>act</c> argument of <see cref="Conv"/>,
    /// <see cref="Gemm"/> and <see cref="AffineActivation"/>, with its two float parameters p0 and p1.
    /// The compiler emits these codes and every kernel applies them through <c>ApplyEpilogue</c>.
    /// </summary>
    public enum EpilogueActivation
    {
        /// <summary><c>x</c>.</summary>
        None = 0,
        /// <summary><c>max(x, 0)</c>.</summary>
        Relu = 1,
        /// <summary><c>min(max(x, p0), p1)</c>.</summary>
        Clamp = 2,
        /// <summary><c>x · clamp(x + 3, 0, 6) / 6 · p0 + p1</c>: HardSwish and the affine PaddleOCR puts after it.</summary>
        HardSwish = 3,
        /// <summary><c>clamp(x · p0 + p1, 0, 1)</c>: HardSigmoid (α = p0, β = p1), the squeeze-excitation gate.</summary>
        HardSigmoid = 4,
        /// <summary><c>max(x, p0 · x, p1)</c>: LeakyRelu (α = p0 in [0, 1]) with a floor (−∞ for none), as Keras exports LeakyRelu → Maximum.</summary>
        LeakyRelu = 5,
        /// <summary><c>x · (1 + erf(x / √2)) / 2</c>: the exact GELU after a transformer's intermediate projection, as <see cref="ActivationOp.Gelu"/> computes it (p0, p1 unused).</summary>
        Gelu = 6,
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float ApplyEpilogue(float x, int act, float p0, float p1) => act switch
    {
        1 => MathF.Max(x, 0f),
        2 => MathF.Min(MathF.Max(x, p0), p1),
        3 => MathF.FusedMultiplyAdd(x * MathF.Min(MathF.Max(x + 3f, 0f), 6f), p0 * (1f / 6), p1),
        4 => MathF.Min(MathF.Max(MathF.FusedMultiplyAdd(x, p0, p1), 0f), 1f),
        5 => MathF.Max(MathF.Max(x, x * p0), p1),
        6 => (ErfScalar(x * InverseSqrt2) + 1f) * x * 0.5f,
        _ => x,
    };

    // vmaxps/vminps return their second operand when one is NaN: x second keeps NaN, as MathF does.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ApplyEpilogue(Vector512<float> x, int act, float p0, float p1) => act switch
    {
        1 => Avx512Ops.Max(Vector512<float>.Zero, x),
        2 => Avx512Ops.Min(Vector512.Create(p1), Avx512Ops.Max(Vector512.Create(p0), x)),
        3 => Avx512Ops.FusedMultiplyAdd(x * Avx512Ops.Min(Vector512.Create(6f), Avx512Ops.Max(Vector512<float>.Zero, x + Vector512.Create(3f))),
            Vector512.Create(p0 * (1f / 6)), Vector512.Create(p1)),
        4 => Avx512Ops.Min(Vector512<float>.One, Avx512Ops.Max(Vector512<float>.Zero, Avx512Ops.FusedMultiplyAdd(x, Vector512.Create(p0), Vector512.Create(p1)))),
        5 => Avx512Ops.Max(Vector512.Create(p1), Avx512Ops.Max(x * Vector512.Create(p0), x)),
        6 => (Erf512(x * InverseSqrt2) + Vector512<float>.One) * x * 0.5f,
        _ => x,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ApplyEpilogue(Vector256<float> x, int act, float p0, float p1) => act switch
    {
        1 => Avx.Max(Vector256<float>.Zero, x),
        2 => Avx.Min(Vector256.Create(p1), Avx.Max(Vector256.Create(p0), x)),
        3 => Vector256.FusedMultiplyAdd(x * Avx.Min(Vector256.Create(6f), Avx.Max(Vector256<float>.Zero, x + Vector256.Create(3f))),
            Vector256.Create(p0 * (1f / 6)), Vector256.Create(p1)),
        4 => Avx.Min(Vector256<float>.One, Avx.Max(Vector256<float>.Zero, Vector256.FusedMultiplyAdd(x, Vector256.Create(p0), Vector256.Create(p1)))),
        5 => Avx.Max(Vector256.Create(p1), Avx.Max(x * Vector256.Create(p0), x)),
        6 => (Erf256(x * InverseSqrt2) + Vector256<float>.One) * x * 0.5f,
        _ => x,
    };

    /// <summary>
    /// <c>y = act(x · scale[c] + shift[c])</c> over <paramref name="outer"/> × <paramref name="channels"/>
    /// blocks of <paramref name="inner"/> floats, c the block's channel; scale and shift hold one
    /// float per channel, or are empty (no affine). One pass for an elementwise chain that no
    /// convolution's epilogue could take (after a residual Add, say). <paramref name="act"/> is an
    /// <see cref="EpilogueActivation"/> with its parameters <paramref name="p0"/>, <paramref name="p1"/>.
    /// </summary>
    public static unsafe void AffineActivation(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        int outer, int channels, int inner, int act, float p0, float p1)
    {
        var count = (long)outer * channels * inner;
        if (x.Length < count || y.Length < count || !scale.IsEmpty && scale.Length < channels || shift.Length != scale.Length)
        {
            throw new ArgumentException("AffineActivation operands are shorter than their sizes.");
        }

        fixed (float* px = x, py = y, ps = scale, pt = shift)
        {
            for (var block = 0L; block < (long)outer * channels; block++)
            {
                var c = (int)(block % channels);
                var (s, t) = scale.IsEmpty ? (1f, 0f) : (ps[c], pt[c]);
                AffineActivationRun(px + block * inner, py + block * inner, inner, !scale.IsEmpty, s, t, act, p0, p1);
            }
        }
    }

    private static unsafe void AffineActivationRun(float* x, float* y, int n, bool affine, float s, float t, int act, float p0, float p1)
    {
        var i = 0;
        var path = KernelDispatch.Current.Fp32Gemm;
        if (path == KernelPath.Avx512F)
        {
            var (sv, tv) = (Vector512.Create(s), Vector512.Create(t));
            for (; i + 16 <= n; i += 16)
            {
                var v = Avx512Ops.LoadVector512(x + i);
                Avx512Ops.Store(y + i, ApplyEpilogue(affine ? Avx512Ops.FusedMultiplyAdd(v, sv, tv) : v, act, p0, p1));
            }
        }
        else if (path == KernelPath.Avx2Fma)
        {
            var (sv, tv) = (Vector256.Create(s), Vector256.Create(t));
            for (; i + 8 <= n; i += 8)
            {
                var v = Avx.LoadVector256(x + i);
                Avx.Store(y + i, ApplyEpilogue(affine ? Vector256.FusedMultiplyAdd(v, sv, tv) : v, act, p0, p1));
            }
        }

        for (; i < n; i++)
        {
            y[i] = ApplyEpilogue(affine ? MathF.FusedMultiplyAdd(x[i], s, t) : x[i], act, p0, p1);
        }
    }
}

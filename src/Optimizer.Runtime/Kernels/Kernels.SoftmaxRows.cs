using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // Attention scores are short rows (one per query token and head, as long as the sequence): five
    // TensorPrimitives calls per row (max, subtract, exp, sum, divide) spent more in call overhead
    // than in arithmetic. Here a row is three vector passes: max; e^(x − max) stored and summed; · 1/sum.
    //
    // exp as Cephes' expf: x = n·ln2 + r (ln2 in two parts, |r| ≤ ln2/2), e^r = 1 + r + r²·P(r),
    // times 2ⁿ through the exponent bits; a few ulp, as ONNX Runtime's own softmax polynomial.
    private const float ExpLog2E = 1.44269504088896341f;
    private const float ExpLn2High = 0.693359375f;
    private const float ExpLn2Low = -2.12194440e-4f;

    // Below this e^x is under float's smallest normal: clamped there (the shifted scores are ≤ 0, so
    // a masked −10000 or −∞ gives ~1e-38 instead of 0, far below what the sum can resolve).
    private const float ExpLowest = -87.33654f;

    /// <summary>Softmax of each row of <c>[rows, length]</c> on 512- or 256-bit vectors; false when neither path runs here.</summary>
    private static bool TrySoftmaxRowsVector(ReadOnlySpan<float> x, Span<float> y, int rows, int length)
    {
        var path = KernelDispatch.Current.Elementwise;
        if (path is not (KernelPath.Vector512 or KernelPath.Vector256))
        {
            return false;
        }

        for (var r = 0; r < rows; r++)
        {
            var src = x.Slice(r * length, length);
            var dst = y.Slice(r * length, length);
            var max = TensorPrimitives.Max(src);
            var sum = path == KernelPath.Vector512 ? ExpShifted512(src, dst, max) : ExpShifted256(src, dst, max);
            TensorPrimitives.Multiply(dst, 1f / sum, dst);
        }

        return true;
    }

    /// <summary><c>dst = e^(src − max)</c>; returns the sum.</summary>
    private static float ExpShifted512(ReadOnlySpan<float> src, Span<float> dst, float max)
    {
        var shift = Vector512.Create(max);
        var total = Vector512<float>.Zero;
        var i = 0;
        for (; i + Vector512<float>.Count <= src.Length; i += Vector512<float>.Count)
        {
            var e = Exp(Vector512.Create(src.Slice(i, Vector512<float>.Count)) - shift);
            e.CopyTo(dst.Slice(i));
            total += e;
        }

        return Vector512.Sum(total) + ExpShiftedTail(src, dst, max, i);
    }

    /// <summary><c>dst = e^(src − max)</c>; returns the sum.</summary>
    private static float ExpShifted256(ReadOnlySpan<float> src, Span<float> dst, float max)
    {
        var shift = Vector256.Create(max);
        var total = Vector256<float>.Zero;
        var i = 0;
        for (; i + Vector256<float>.Count <= src.Length; i += Vector256<float>.Count)
        {
            var e = Exp(Vector256.Create(src.Slice(i, Vector256<float>.Count)) - shift);
            e.CopyTo(dst.Slice(i));
            total += e;
        }

        return Vector256.Sum(total) + ExpShiftedTail(src, dst, max, i);
    }

    private static float ExpShiftedTail(ReadOnlySpan<float> src, Span<float> dst, float max, int from)
    {
        var sum = 0f;
        for (var i = from; i < src.Length; i++)
        {
            dst[i] = MathF.Exp(src[i] - max);
            sum += dst[i];
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp(Vector512<float> x)
    {
        // MaxNative(c, x) is vmaxps, which returns its second operand for a NaN: NaN stays NaN.
        x = Vector512.MaxNative(Vector512.Create(ExpLowest), x);
        var n = Vector512.Round(x * Vector512.Create(ExpLog2E));
        var r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-ExpLn2Low), Vector512.MultiplyAddEstimate(n, Vector512.Create(-ExpLn2High), x));
        var p = Vector512.MultiplyAddEstimate(Vector512.Create(1.9875691500e-4f), r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512<float>.One);
        p = Vector512.MultiplyAddEstimate(p, r, Vector512<float>.One);
        return p * Vector512.ShiftLeft(Vector512.ConvertToInt32Native(n) + Vector512.Create(127), 23).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.MaxNative(Vector256.Create(ExpLowest), x);
        var n = Vector256.Round(x * Vector256.Create(ExpLog2E));
        var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-ExpLn2Low), Vector256.MultiplyAddEstimate(n, Vector256.Create(-ExpLn2High), x));
        var p = Vector256.MultiplyAddEstimate(Vector256.Create(1.9875691500e-4f), r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(5.0000001201e-1f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256<float>.One);
        p = Vector256.MultiplyAddEstimate(p, r, Vector256<float>.One);
        return p * Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n) + Vector256.Create(127), 23).AsSingle();
    }
}

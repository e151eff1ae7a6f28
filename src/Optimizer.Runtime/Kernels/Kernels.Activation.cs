using System.Numerics.Tensors;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>The activations beyond <see cref="Unary"/>'s, by <see cref="Activation"/>'s <c>op</c> argument.</summary>
    public enum ActivationOp
    {
        /// <summary>The error function.</summary>
        Erf = 0,
        /// <summary>GELU, exact: <c>x · (1 + erf(x / √2)) / 2</c>.</summary>
        Gelu = 1,
        /// <summary>GELU, tanh approximation.</summary>
        GeluTanh = 2,
        /// <summary><c>x · max(0, min(1, x / 6 + 1/2))</c>.</summary>
        HardSwish = 3,
    }

    // Chunk processed per pass: the polynomial runs as TensorPrimitives passes (Vector128/256/512
    // as the CPU has them) over a block that stays in L1.
    private const int ActivationChunk = 512;

    /// <summary><c>y = op(x)</c> over <paramref name="count"/> floats; <paramref name="op"/> is an <see cref="ActivationOp"/>.</summary>
    public static void Activation(ReadOnlySpan<float> x, Span<float> y, int op, int count, float alpha, float beta)
    {
        Span<float> t = stackalloc float[ActivationChunk];
        Span<float> u = stackalloc float[ActivationChunk];
        for (var start = 0; start < count; start += ActivationChunk)
        {
            var n = Math.Min(ActivationChunk, count - start);
            var xs = x.Slice(start, n);
            var ys = y.Slice(start, n);
            var ts = t.Slice(0, n);
            var us = u.Slice(0, n);
            switch ((ActivationOp)op)
            {
                case ActivationOp.Erf:
                    Erf(xs, ys, us);
                    break;
                case ActivationOp.Gelu:
                    TensorPrimitives.Multiply(xs, 0.70710678118654752f, ts);
                    Erf(ts, ts, us);
                    TensorPrimitives.AddMultiply(ts, 1f, xs, ys); // (erf + 1) · x
                    TensorPrimitives.Multiply(ys, 0.5f, ys);
                    break;
                case ActivationOp.GeluTanh:
                    TensorPrimitives.Multiply(xs, xs, ts);
                    TensorPrimitives.Multiply(ts, 0.044715f, ts);
                    TensorPrimitives.Add(ts, 1f, ts);
                    TensorPrimitives.Multiply(ts, xs, ts);
                    TensorPrimitives.Multiply(ts, 0.7978845608028654f, ts);
                    TensorPrimitives.Tanh(ts, ts);
                    TensorPrimitives.AddMultiply(ts, 1f, xs, ys);
                    TensorPrimitives.Multiply(ys, 0.5f, ys);
                    break;
                case ActivationOp.HardSwish:
                    TensorPrimitives.Multiply(xs, 1f / 6, ts);
                    TensorPrimitives.Add(ts, 0.5f, ts);
                    TensorPrimitives.Max(ts, 0f, ts);
                    TensorPrimitives.Min(ts, 1f, ts);
                    TensorPrimitives.Multiply(ts, xs, ys);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown activation.");
            }
        }
    }

    // erf as Eigen's rational approximation (x clamped to [-4, 4]; a few ulp from the true value),
    // odd polynomial P(x²)·x over Q(x²). y may alias x; scratch is one chunk.
    private static ReadOnlySpan<float> ErfNumerator => [-2.72614225801306e-10f, 2.77068142495902e-08f, -2.10102402082508e-06f,
        -5.69250639462346e-05f, -7.34990630326855e-04f, -2.95459980854025e-03f, -1.60960333262415e-02f];

    private static ReadOnlySpan<float> ErfDenominator => [-1.45660718464996e-05f, -2.13374055278905e-04f, -1.68282697438203e-03f,
        -7.37332916720468e-03f, -1.42647390514189e-02f];

    private static void Erf(ReadOnlySpan<float> x, Span<float> y, Span<float> scratch)
    {
        Span<float> x2 = stackalloc float[x.Length];
        Span<float> p = stackalloc float[x.Length];
        TensorPrimitives.Max(x, -4f, y);
        TensorPrimitives.Min(y, 4f, y);
        TensorPrimitives.Multiply(y, y, x2);
        Horner(x2, ErfNumerator, p);
        TensorPrimitives.Multiply(p, y, p);
        Horner(x2, ErfDenominator, scratch);
        TensorPrimitives.Divide(p, scratch, y);
    }

    private static void Horner(ReadOnlySpan<float> x, ReadOnlySpan<float> coefficients, Span<float> result)
    {
        result.Fill(coefficients[0]);
        for (var i = 1; i < coefficients.Length; i++)
        {
            TensorPrimitives.MultiplyAdd(result, x, coefficients[i], result);
        }
    }

    /// <summary>
    /// <c>y = x ≥ 0 ? x : slope · x</c>, <paramref name="slope"/> broadcast to x: dims and per-operand
    /// element strides as in <see cref="Binary"/> (rank ≤ 6, the innermost last).
    /// </summary>
    public static void PRelu(ReadOnlySpan<float> x, ReadOnlySpan<float> slope, Span<float> y, int rank,
        ReadOnlySpan<int> dims, ReadOnlySpan<int> xStrides, ReadOnlySpan<int> slopeStrides)
    {
        var inner = dims[rank - 1];
        var rows = RowCount(rank, dims);
        for (var r = 0; r < rows; r++)
        {
            var xo = RowOffset(r, rank, dims, xStrides);
            var so = RowOffset(r, rank, dims, slopeStrides);
            var (xs, ss) = (xStrides[rank - 1], slopeStrides[rank - 1]);
            var dst = y.Slice(r * inner, inner);
            for (var i = 0; i < inner; i++)
            {
                var v = x[xo + i * xs];
                dst[i] = v >= 0 ? v : v * slope[so + i * ss];
            }
        }
    }
}

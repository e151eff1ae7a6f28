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
        if ((ActivationOp)op is ActivationOp.Erf or ActivationOp.Gelu)
        {
            // One pass, the polynomial in registers: a pass per Horner step cost 5× as much (issue 15).
            ErfOrGelu(x.Slice(0, count), y.Slice(0, count), (ActivationOp)op == ActivationOp.Gelu);
            return;
        }

        Span<float> t = stackalloc float[ActivationChunk];
        for (var start = 0; start < count; start += ActivationChunk)
        {
            var n = Math.Min(ActivationChunk, count - start);
            var xs = x.Slice(start, n);
            var ys = y.Slice(start, n);
            var ts = t.Slice(0, n);
            switch ((ActivationOp)op)
            {
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

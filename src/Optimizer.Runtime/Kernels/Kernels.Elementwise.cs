using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>The maximum rank of <see cref="Binary"/> and <see cref="Transpose"/> (the compiler coalesces dimensions first).</summary>
    public const int MaxRank = 6;

    /// <summary>Copies <paramref name="count"/> floats.</summary>
    public static void Copy(ReadOnlySpan<float> src, Span<float> dst, int count) => src.Slice(0, count).CopyTo(dst);

    /// <summary>Copies <paramref name="outer"/> blocks of <paramref name="block"/> floats between strided positions (one Concat input).</summary>
    public static void CopyBlocks(ReadOnlySpan<float> src, Span<float> dst, int outer, int block, int srcStride, int dstStride)
    {
        for (var i = 0; i < outer; i++)
        {
            src.Slice(i * srcStride, block).CopyTo(dst.Slice(i * dstStride, block));
        }
    }

    /// <summary>
    /// <c>y = op(x)</c> over <paramref name="count"/> floats. <paramref name="op"/>: 0 Relu, 1 Sigmoid,
    /// 2 Tanh, 3 LeakyRelu(alpha), 4 HardSigmoid(alpha, beta), 5 Clip(min = alpha, max = beta),
    /// 6 Exp, 7 Neg, 8 Abs, 9 Sqrt, 10 Identity, 11 Elu(alpha), 12 Softplus, 13 Log, 14 Reciprocal,
    /// 15 Floor, 16 Ceil.
    /// </summary>
    public static void Unary(ReadOnlySpan<float> x, Span<float> y, int op, int count, float alpha, float beta)
    {
        x = x.Slice(0, count);
        y = y.Slice(0, count);
        switch (op)
        {
            case 0: TensorPrimitives.Max(x, 0f, y); break;
            case 1: TensorPrimitives.Sigmoid(x, y); break;
            case 2: TensorPrimitives.Tanh(x, y); break;
            case 3 when alpha >= 0f:
                LeakyReluAsExtremum(x, y, alpha);
                break;
            case 3:
                for (var i = 0; i < count; i++)
                {
                    var v = x[i];
                    y[i] = v >= 0 ? v : v * alpha;
                }

                break;
            case 4:
                HardSigmoid(x, y, alpha, beta);
                break;
            case 5 when alpha <= beta:
                TensorPrimitives.Clamp(x, alpha, beta, y);
                break;
            case 5:
                // min > max (or a NaN bound): max then min, as ONNX's reference computes it.
                TensorPrimitives.Max(x, alpha, y);
                TensorPrimitives.Min(y, beta, y);
                break;
            case 6: TensorPrimitives.Exp(x, y); break;
            case 7: TensorPrimitives.Negate(x, y); break;
            case 8: TensorPrimitives.Abs(x, y); break;
            case 9: TensorPrimitives.Sqrt(x, y); break;
            case 10: x.CopyTo(y); break;
            case 11:
                for (var i = 0; i < count; i++)
                {
                    var v = x[i];
                    y[i] = v >= 0 ? v : alpha * (MathF.Exp(v) - 1f);
                }

                break;
            case 12:
                for (var i = 0; i < count; i++)
                {
                    y[i] = (float)Math.Log(1.0 + Math.Exp(x[i]));
                }

                break;
            case 13: TensorPrimitives.Log(x, y); break;
            case 14: TensorPrimitives.Reciprocal(x, y); break;
            case 15: TensorPrimitives.Floor(x, y); break;
            case 16: TensorPrimitives.Ceiling(x, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary operator.");
        }
    }

    /// <summary>
    /// HardSigmoid <c>min(max(αx + β, 0), 1)</c> in one vector pass (αx + β rounded twice, not fused,
    /// as the scalar definition computes it); NaN stays NaN, as Math.Max/Min keep it.
    /// </summary>
    private static void HardSigmoid(ReadOnlySpan<float> x, Span<float> y, float alpha, float beta)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var (a, b, one) = (Vector256.Create(alpha), Vector256.Create(beta), Vector256<float>.One);
            for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
            {
                Vector256.Min(Vector256.Max(Vector256.Create(x.Slice(i, Vector256<float>.Count)) * a + b, Vector256<float>.Zero), one)
                    .CopyTo(y.Slice(i, Vector256<float>.Count));
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var (a, b, one) = (Vector128.Create(alpha), Vector128.Create(beta), Vector128<float>.One);
            for (; i + Vector128<float>.Count <= x.Length; i += Vector128<float>.Count)
            {
                Vector128.Min(Vector128.Max(Vector128.Create(x.Slice(i, Vector128<float>.Count)) * a + b, Vector128<float>.Zero), one)
                    .CopyTo(y.Slice(i, Vector128<float>.Count));
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = MathF.Min(MathF.Max(alpha * x[i] + beta, 0f), 1f);
        }
    }

    /// <summary>
    /// A slope in [0, 1] makes LeakyRelu <c>max(x, αx)</c>, a slope above 1 <c>min(x, αx)</c>: the same
    /// values (signed zeros too: α ≥ 0 keeps −0 negative) in vector passes; αx goes through a stack
    /// chunk because y may be x. A negative slope (max would turn −0 into +0) takes the scalar loop.
    /// </summary>
    private static void LeakyReluAsExtremum(ReadOnlySpan<float> x, Span<float> y, float alpha)
    {
        Span<float> scaled = stackalloc float[ActivationChunk];
        for (var start = 0; start < x.Length; start += ActivationChunk)
        {
            var n = Math.Min(ActivationChunk, x.Length - start);
            TensorPrimitives.Multiply(x.Slice(start, n), alpha, scaled.Slice(0, n));
            if (alpha <= 1f)
            {
                TensorPrimitives.Max(x.Slice(start, n), scaled.Slice(0, n), y.Slice(start, n));
            }
            else
            {
                TensorPrimitives.Min(x.Slice(start, n), scaled.Slice(0, n), y.Slice(start, n));
            }
        }
    }

    /// <summary>
    /// <c>y = a op b</c> with broadcasting: <paramref name="dims"/> are the output's dimensions
    /// (rank ≤ 6), the stride arrays give each operand's element stride per output dimension
    /// (0 where it broadcasts). <paramref name="op"/>: 0 Add, 1 Sub, 2 Mul, 3 Div, 4 Max, 5 Min, 6 Pow.
    /// </summary>
    public static void Binary(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, int op,
        int rank, ReadOnlySpan<int> dims, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
    {
        Span<int> d = stackalloc int[MaxRank];
        Span<int> sa = stackalloc int[MaxRank];
        Span<int> sb = stackalloc int[MaxRank];
        // Right-align into six dimensions.
        d.Fill(1);
        sa.Clear();
        sb.Clear();
        for (var i = 0; i < rank; i++)
        {
            d[MaxRank - rank + i] = dims[i];
            sa[MaxRank - rank + i] = aStrides[i];
            sb[MaxRank - rank + i] = bStrides[i];
        }

        var inner = d[5];
        if (inner < ShortRow && d[0] * d[1] * d[2] * d[3] * d[4] > 1)
        {
            if (IsDense(d, sa))
            {
                BinaryShortRows(a, b, y, op, denseOnLeft: true, d, sb);
                return;
            }

            if (IsDense(d, sb))
            {
                BinaryShortRows(b, a, y, op, denseOnLeft: false, d, sa);
                return;
            }
        }

        var outIndex = 0;
        for (var i0 = 0; i0 < d[0]; i0++)
        for (var i1 = 0; i1 < d[1]; i1++)
        for (var i2 = 0; i2 < d[2]; i2++)
        for (var i3 = 0; i3 < d[3]; i3++)
        for (var i4 = 0; i4 < d[4]; i4++)
        {
            var ao = i0 * sa[0] + i1 * sa[1] + i2 * sa[2] + i3 * sa[3] + i4 * sa[4];
            var bo = i0 * sb[0] + i1 * sb[1] + i2 * sb[2] + i3 * sb[3] + i4 * sb[4];
            BinaryRow(a.Slice(ao), sa[5], b.Slice(bo), sb[5], y.Slice(outIndex, inner), op);
            outIndex += inner;
        }
    }

    /// <summary>Rows shorter than this take <see cref="BinaryShortRows"/> when an operand is laid out as the output.</summary>
    private const int ShortRow = 16;

    /// <summary>The floats of whole rows one <see cref="BinaryShortRows"/> pass gathers on the stack.</summary>
    private const int ShortRowChunk = 512;

    /// <summary>Whether an operand with <paramref name="strides"/> is laid out as the (contiguous) output of <paramref name="dims"/>.</summary>
    private static bool IsDense(ReadOnlySpan<int> dims, ReadOnlySpan<int> strides)
    {
        var expected = 1;
        for (var k = MaxRank - 1; k >= 0; k--)
        {
            if (dims[k] != 1 && strides[k] != expected)
            {
                return false;
            }

            expected *= dims[k];
        }

        return true;
    }

    /// <summary>
    /// <see cref="Binary"/> over short rows (a per-column bias of <c>[n, 3]</c>, a per-row scale of
    /// <c>[n, 2]</c>) with one operand laid out as the output: a pass per row would be a call per few
    /// elements, so the other operand's rows are gathered into a stack chunk of whole rows (walking
    /// its strides as an odometer) and each chunk is one vector pass, across rows.
    /// </summary>
    private static void BinaryShortRows(ReadOnlySpan<float> dense, ReadOnlySpan<float> other, Span<float> y, int op, bool denseOnLeft,
        ReadOnlySpan<int> d, ReadOnlySpan<int> otherStrides)
    {
        var inner = d[5];
        var rows = d[0] * d[1] * d[2] * d[3] * d[4];
        var perChunk = Math.Max(1, ShortRowChunk / Math.Max(inner, 1));
        Span<float> gathered = stackalloc float[perChunk * inner];
        Span<int> index = stackalloc int[MaxRank - 1];
        index.Clear();
        var step = otherStrides[5];
        // A row broadcast down all outer axes (a per-column bias) gathers the same chunk every time: once is enough.
        var sameRows = otherStrides.Slice(0, MaxRank - 1).IndexOfAnyExcept(0) < 0;
        var offset = 0;
        for (var start = 0; start < rows; start += perChunk)
        {
            var count = Math.Min(perChunk, rows - start);
            for (var r = sameRows && start > 0 ? count : 0; r < count; r++)
            {
                for (var i = 0; i < inner; i++)
                {
                    gathered[r * inner + i] = other[offset + i * step];
                }

                // The next row: the last outer index moves on, carrying into the ones before it.
                for (var k = MaxRank - 2; k >= 0; k--)
                {
                    offset += otherStrides[k];
                    if (++index[k] < d[k])
                    {
                        break;
                    }

                    offset -= otherStrides[k] * d[k];
                    index[k] = 0;
                }
            }

            var n = count * inner;
            var chunk = gathered.Slice(0, n);
            var from = dense.Slice(start * inner, n);
            var to = y.Slice(start * inner, n);
            if (denseOnLeft)
            {
                BinaryRow(from, 1, chunk, 1, to, op);
            }
            else
            {
                BinaryRow(chunk, 1, from, 1, to, op);
            }
        }
    }

    private static void BinaryRow(ReadOnlySpan<float> a, int aStride, ReadOnlySpan<float> b, int bStride, Span<float> y, int op)
    {
        var n = y.Length;
        if (aStride == 1 && bStride == 1)
        {
            a = a.Slice(0, n);
            b = b.Slice(0, n);
            switch (op)
            {
                case 0: TensorPrimitives.Add(a, b, y); return;
                case 1: TensorPrimitives.Subtract(a, b, y); return;
                case 2: TensorPrimitives.Multiply(a, b, y); return;
                case 3: TensorPrimitives.Divide(a, b, y); return;
                case 4: TensorPrimitives.Max(a, b, y); return;
                case 5: TensorPrimitives.Min(a, b, y); return;
            }
        }
        else if (aStride == 1 && bStride == 0)
        {
            a = a.Slice(0, n);
            var s = b[0];
            switch (op)
            {
                case 0: TensorPrimitives.Add(a, s, y); return;
                case 1: TensorPrimitives.Subtract(a, s, y); return;
                case 2: TensorPrimitives.Multiply(a, s, y); return;
                case 3: TensorPrimitives.Divide(a, s, y); return;
                case 4: TensorPrimitives.Max(a, s, y); return;
                case 5: TensorPrimitives.Min(a, s, y); return;
                // x² (LayerNorm's variance written as Pow(x, 2)): the one correctly rounded product, as MathF.Pow gives it.
                case 6 when s == 2f: TensorPrimitives.Multiply(a, a, y); return;
            }
        }
        else if (aStride == 0 && bStride == 1)
        {
            // A scalar on the left (PaddleOCR's learnable affine blocks are Mul(scale, x) and Add(bias, x)).
            b = b.Slice(0, n);
            var s = a[0];
            switch (op)
            {
                case 0: TensorPrimitives.Add(b, s, y); return;
                case 1: TensorPrimitives.Subtract(s, b, y); return;
                case 2: TensorPrimitives.Multiply(b, s, y); return;
                case 3: TensorPrimitives.Divide(s, b, y); return;
                case 4: TensorPrimitives.Max(b, s, y); return;
                case 5: TensorPrimitives.Min(b, s, y); return;
            }
        }

        for (var i = 0; i < n; i++)
        {
            y[i] = Apply(a[i * aStride], b[i * bStride], op);
        }
    }

    private static float Apply(float a, float b, int op) => op switch
    {
        0 => a + b,
        1 => a - b,
        2 => a * b,
        3 => a / b,
        4 => MathF.Max(a, b),
        5 => MathF.Min(a, b),
        6 => MathF.Pow(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown binary operator."),
    };

    /// <summary>
    /// Writes x permuted into y: <paramref name="dims"/> are y's dimensions (rank ≤ 6) and
    /// <paramref name="inStrides"/> x's element stride along each of them.
    /// </summary>
    public static void Transpose(ReadOnlySpan<float> x, Span<float> y, int rank, ReadOnlySpan<int> dims, ReadOnlySpan<int> inStrides)
    {
        Span<int> d = stackalloc int[MaxRank];
        Span<int> s = stackalloc int[MaxRank];
        d.Fill(1);
        s.Clear();
        for (var i = 0; i < rank; i++)
        {
            d[MaxRank - rank + i] = dims[i];
            s[MaxRank - rank + i] = inStrides[i];
        }

        if (s[5] != 1 && s[4] == 1 && d[4] > 1)
        {
            // The attention's K → Kᵀ: x is contiguous along y's second-last axis; transpose the last two as planes.
            TransposePlanes(x, y, d, s);
            return;
        }

        var o = 0;
        for (var i0 = 0; i0 < d[0]; i0++)
        for (var i1 = 0; i1 < d[1]; i1++)
        for (var i2 = 0; i2 < d[2]; i2++)
        for (var i3 = 0; i3 < d[3]; i3++)
        for (var i4 = 0; i4 < d[4]; i4++)
        {
            var baseIndex = i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
            var stride = s[5];
            if (stride == 1)
            {
                // Contiguous runs (the heads split or merged around attention): one block copy each.
                x.Slice(baseIndex, d[5]).CopyTo(y.Slice(o, d[5]));
                o += d[5];
                continue;
            }

            for (var i5 = 0; i5 < d[5]; i5++)
            {
                y[o++] = x[baseIndex + i5 * stride];
            }
        }
    }

    /// <summary>
    /// <see cref="Transpose"/> where x steps by 1 along y's axis 4: each <c>[d4, d5]</c> plane of y is
    /// read as rows of x (contiguous), written down y's columns.
    /// </summary>
    private static unsafe void TransposePlanes(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<int> d, ReadOnlySpan<int> s)
    {
        var (rows, cols, stride) = (d[4], d[5], s[5]);
        var plane = rows * cols;
        var count = d[0] * d[1] * d[2] * d[3] * plane;
        var last = (long)(d[0] - 1) * s[0] + (long)(d[1] - 1) * s[1] + (long)(d[2] - 1) * s[2] + (long)(d[3] - 1) * s[3] + (rows - 1) + (long)(cols - 1) * stride;
        if (y.Length < count || x.Length <= last)
        {
            throw new ArgumentException("The transpose's operands are smaller than its dimensions.");
        }

        fixed (float* px = x, py = y)
        {
            var o = py;
            for (var i0 = 0; i0 < d[0]; i0++)
            for (var i1 = 0; i1 < d[1]; i1++)
            for (var i2 = 0; i2 < d[2]; i2++)
            for (var i3 = 0; i3 < d[3]; i3++)
            {
                var source = px + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3];
                for (var c = 0; c < cols; c++)
                {
                    var row = source + (long)c * stride;
                    for (var r = 0; r < rows; r++)
                    {
                        o[(long)r * cols + c] = row[r];
                    }
                }

                o += plane;
            }
        }
    }

    /// <summary>
    /// Softmax (or log-softmax when <paramref name="log"/> is 1) along the middle axis of
    /// <c>[outer, axis, inner]</c>.
    /// </summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int outer, int axis, int inner, int log)
    {
        if (inner == 1)
        {
            SoftmaxRows(x, y, outer, axis, log);
            return;
        }

        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                var start = o * axis * inner + i;
                var max = float.NegativeInfinity;
                for (var j = 0; j < axis; j++)
                {
                    max = MathF.Max(max, x[start + j * inner]);
                }

                var sum = 0f;
                for (var j = 0; j < axis; j++)
                {
                    var e = MathF.Exp(x[start + j * inner] - max);
                    sum += e;
                    if (log == 0)
                    {
                        y[start + j * inner] = e;
                    }
                }

                var logSum = MathF.Log(sum);
                for (var j = 0; j < axis; j++)
                {
                    var index = start + j * inner;
                    y[index] = log != 0 ? x[index] - max - logSum : y[index] / sum;
                }
            }
        }
    }

    /// <summary>Softmax over contiguous rows (the last axis, as attention scores have it), in vector passes.</summary>
    private static void SoftmaxRows(ReadOnlySpan<float> x, Span<float> y, int rows, int length, int log)
    {
        if (log == 0 && TrySoftmaxRowsVector(x, y, rows, length))
        {
            return;
        }

        for (var r = 0; r < rows; r++)
        {
            var src = x.Slice(r * length, length);
            var dst = y.Slice(r * length, length);
            var max = TensorPrimitives.Max(src);
            TensorPrimitives.Subtract(src, max, dst);
            if (log != 0)
            {
                // log-softmax = (x − max) − log Σ exp(x − max); the exponentials only feed the sum.
                var sum = 0f;
                foreach (var v in dst)
                {
                    sum += MathF.Exp(v);
                }

                TensorPrimitives.Subtract(dst, MathF.Log(sum), dst);
                continue;
            }

            TensorPrimitives.Exp(dst, dst);
            TensorPrimitives.Divide(dst, TensorPrimitives.Sum(dst), dst);
        }
    }
}

using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>The integer arguments of <see cref="GemmHeads"/>, in order.</summary>
    public enum GemmHeadsArg
    {
        /// <summary>Outer batch (the model's batch dimension).</summary>
        Batch,
        /// <summary>Attention heads per batch item.</summary>
        Heads,
        /// <summary>Rows of each product.</summary>
        M,
        /// <summary>Columns of each product.</summary>
        N,
        /// <summary>Inner dimension of each product.</summary>
        K,
        /// <summary>A: floats between batch items.</summary>
        ABatchStride,
        /// <summary>A: floats between heads.</summary>
        AHeadStride,
        /// <summary>A: floats between rows.</summary>
        Lda,
        /// <summary>B: floats between batch items.</summary>
        BBatchStride,
        /// <summary>B: floats between heads.</summary>
        BHeadStride,
        /// <summary>B: floats between rows (of <c>[k, n]</c>, or of <c>[n, k]</c> when transposed).</summary>
        Ldb,
        /// <summary>1 when B is stored <c>[n, k]</c>.</summary>
        TransB,
        /// <summary>C: floats between batch items.</summary>
        CBatchStride,
        /// <summary>C: floats between heads.</summary>
        CHeadStride,
        /// <summary>C: floats between rows.</summary>
        Ldc,
        /// <summary>Bias (per column): floats between batch items; 0 shares one row (an attention mask over keys is one row per batch item).</summary>
        BiasBatchStride,
        /// <summary>1 to replace each row of C by its softmax (attention scores), each head's rows just after its product while they are in cache.</summary>
        SoftmaxRows,
        /// <summary>The argument count.</summary>
        Count,
    }

    /// <summary>
    /// <c>C = alpha · A · B + bias</c> for every (batch, head) of multi-head attention (the bias a
    /// constant row, or the padding mask added to the scores; then, for the scores, each row's softmax), each operand
    /// addressed in place by strides: a head's Q, K or V is a column block of the <c>[s, heads·d]</c>
    /// projection (row stride heads·d, head offset d) and a head's context is written straight into
    /// its column block of the <c>[s, heads·d]</c> output, so the head split and merge Transposes
    /// never run. B is packed per head into <paramref name="packed"/> (<see cref="PackedBLength"/>
    /// floats), from cache, just before its product. <paramref name="sizes"/>: see <see cref="GemmHeadsArg"/>.
    /// </summary>
    public static unsafe void GemmHeads(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> packed, Span<float> c,
        ReadOnlySpan<int> sizes, float alpha)
    {
        var (m, n, k) = (sizes[(int)GemmHeadsArg.M], sizes[(int)GemmHeadsArg.N], sizes[(int)GemmHeadsArg.K]);
        var (lda, ldb, ldc) = (sizes[(int)GemmHeadsArg.Lda], sizes[(int)GemmHeadsArg.Ldb], sizes[(int)GemmHeadsArg.Ldc]);
        var transB = sizes[(int)GemmHeadsArg.TransB] != 0;
        if (packed.Length < PackedBLength(k, n))
        {
            throw new ArgumentException("The packing buffer is shorter than one head's packed B.", nameof(packed));
        }

        fixed (float* pa = a, pb = b, pbias = bias, pp = packed, pc = c)
        {
            for (var bi = 0; bi < sizes[(int)GemmHeadsArg.Batch]; bi++)
            {
                for (var hi = 0; hi < sizes[(int)GemmHeadsArg.Heads]; hi++)
                {
                    var source = pb + (long)bi * sizes[(int)GemmHeadsArg.BBatchStride] + (long)hi * sizes[(int)GemmHeadsArg.BHeadStride];
                    PackStridedB(source, ldb, transB, pp, k, n);
                    var job = new GemmJob(pa + (long)bi * sizes[(int)GemmHeadsArg.ABatchStride] + (long)hi * sizes[(int)GemmHeadsArg.AHeadStride], lda, pp, k,
                        pc + (long)bi * sizes[(int)GemmHeadsArg.CBatchStride] + (long)hi * sizes[(int)GemmHeadsArg.CHeadStride], ldc, m, n,
                        bias.IsEmpty ? null : pbias + (long)bi * sizes[(int)GemmHeadsArg.BiasBatchStride], false, alpha, 0, 0f, 0f);
                    job.Run();
                    if (sizes[(int)GemmHeadsArg.SoftmaxRows] != 0)
                    {
                        SoftmaxStridedRows(pc + (long)bi * sizes[(int)GemmHeadsArg.CBatchStride] + (long)hi * sizes[(int)GemmHeadsArg.CHeadStride], ldc, m, n);
                    }
                }
            }
        }
    }

    /// <summary>Softmax of each of <paramref name="rows"/> rows of <paramref name="length"/> floats, <paramref name="stride"/> apart, in place.</summary>
    private static unsafe void SoftmaxStridedRows(float* c, int stride, int rows, int length)
    {
        for (var r = 0; r < rows; r++)
        {
            var row = new Span<float>(c + (long)r * stride, length);
            SoftmaxRows(row, row, 1, length, 0);
        }
    }

    /// <summary>
    /// One <c>[k, n]</c> matrix B read with row stride <paramref name="ldb"/> (or its transpose, stored
    /// <c>[n, k]</c>) into the 16-column panels of <see cref="PackB"/>, zero padded.
    /// </summary>
    private static unsafe void PackStridedB(float* b, int ldb, bool transB, float* packed, int k, int n)
    {
        for (var col0 = 0; col0 < n; col0 += PanelWidth)
        {
            var panel = packed + (long)col0 * k;
            var cols = Math.Min(PanelWidth, n - col0);
            if (cols < PanelWidth)
            {
                new Span<float>(panel, PanelWidth * k).Clear();
            }

            if (transB)
            {
                // Kᵀ: each of the panel's columns is one contiguous row of K, scattered down the panel;
                // eight rows at a time through an 8 × 8 register transpose where AVX runs.
                var j = 0;
                if (Avx.IsSupported)
                {
                    for (; j + 8 <= cols; j += 8)
                    {
                        TransposeRowsInto(b + (long)(col0 + j) * ldb, ldb, panel + j, k);
                    }
                }

                for (; j < cols; j++)
                {
                    var row = b + (long)(col0 + j) * ldb;
                    for (var kk = 0; kk < k; kk++)
                    {
                        panel[kk * PanelWidth + j] = row[kk];
                    }
                }
            }
            else if (cols == PanelWidth && Vector256.IsHardwareAccelerated)
            {
                // V: a 16-float row run per k, two vector moves (a span copy per row cost more than the copy).
                for (var kk = 0; kk < k; kk++)
                {
                    var src = b + (long)kk * ldb + col0;
                    Vector256.Store(Vector256.Load(src), panel + kk * PanelWidth);
                    Vector256.Store(Vector256.Load(src + 8), panel + kk * PanelWidth + 8);
                }
            }
            else
            {
                for (var kk = 0; kk < k; kk++)
                {
                    new ReadOnlySpan<float>(b + (long)kk * ldb + col0, cols).CopyTo(new Span<float>(panel + kk * PanelWidth, cols));
                }
            }
        }
    }

    /// <summary>
    /// Eight rows of <paramref name="k"/> floats (<paramref name="ldb"/> apart) written as eight columns
    /// of a 16-wide panel: 8 × 8 blocks transposed in registers (unpack, shuffle, lane permute), the k tail one float at a time.
    /// </summary>
    private static unsafe void TransposeRowsInto(float* rows, int ldb, float* panel, int k)
    {
        var kk = 0;
        for (; kk + 8 <= k; kk += 8)
        {
            Transpose8x8(rows + kk, ldb, panel + kk * PanelWidth, PanelWidth);
        }

        for (; kk < k; kk++)
        {
            for (var j = 0; j < 8; j++)
            {
                panel[kk * PanelWidth + j] = rows[(long)j * ldb + kk];
            }
        }
    }
}

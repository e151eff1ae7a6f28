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
            var src = rows + kk;
            var r0 = Avx.LoadVector256(src);
            var r1 = Avx.LoadVector256(src + ldb);
            var r2 = Avx.LoadVector256(src + 2L * ldb);
            var r3 = Avx.LoadVector256(src + 3L * ldb);
            var r4 = Avx.LoadVector256(src + 4L * ldb);
            var r5 = Avx.LoadVector256(src + 5L * ldb);
            var r6 = Avx.LoadVector256(src + 6L * ldb);
            var r7 = Avx.LoadVector256(src + 7L * ldb);

            // Pairs of rows interleaved, then quads: s0 = (a00 a10 a20 a30 | a04 a14 a24 a34), and so on.
            var t0 = Avx.UnpackLow(r0, r1);
            var t1 = Avx.UnpackHigh(r0, r1);
            var t2 = Avx.UnpackLow(r2, r3);
            var t3 = Avx.UnpackHigh(r2, r3);
            var t4 = Avx.UnpackLow(r4, r5);
            var t5 = Avx.UnpackHigh(r4, r5);
            var t6 = Avx.UnpackLow(r6, r7);
            var t7 = Avx.UnpackHigh(r6, r7);
            var s0 = Avx.Shuffle(t0, t2, 0x44);
            var s1 = Avx.Shuffle(t0, t2, 0xEE);
            var s2 = Avx.Shuffle(t1, t3, 0x44);
            var s3 = Avx.Shuffle(t1, t3, 0xEE);
            var s4 = Avx.Shuffle(t4, t6, 0x44);
            var s5 = Avx.Shuffle(t4, t6, 0xEE);
            var s6 = Avx.Shuffle(t5, t7, 0x44);
            var s7 = Avx.Shuffle(t5, t7, 0xEE);

            // Low 128-bit lanes give k + 0..3, high lanes k + 4..7.
            var dst = panel + kk * PanelWidth;
            Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
            Avx.Store(dst + PanelWidth, Avx.Permute2x128(s1, s5, 0x20));
            Avx.Store(dst + 2 * PanelWidth, Avx.Permute2x128(s2, s6, 0x20));
            Avx.Store(dst + 3 * PanelWidth, Avx.Permute2x128(s3, s7, 0x20));
            Avx.Store(dst + 4 * PanelWidth, Avx.Permute2x128(s0, s4, 0x31));
            Avx.Store(dst + 5 * PanelWidth, Avx.Permute2x128(s1, s5, 0x31));
            Avx.Store(dst + 6 * PanelWidth, Avx.Permute2x128(s2, s6, 0x31));
            Avx.Store(dst + 7 * PanelWidth, Avx.Permute2x128(s3, s7, 0x31));
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

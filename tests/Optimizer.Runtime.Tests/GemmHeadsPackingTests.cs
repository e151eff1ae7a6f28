using Optimizer.Runtime.Compiled;
using Arg = Optimizer.Runtime.Compiled.Kernels.GemmHeadsArg;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// <see cref="Kernels.GemmHeads"/> packs each head's B from its strided place: Kᵀ through 8 × 8
/// register transposes where AVX runs (a k tail under 8, columns past a multiple of 8), V by vector row
/// moves on whole panels. Against a double loop over the heads' column blocks, on BERT's head width
/// (32) and odd ones; with <see cref="Arg.SoftmaxRows"/>, each score row's softmax on strided rows.
/// Compiler.Tests' AttentionHeadsTests compare whole attention blocks with ONNX Runtime.
/// </summary>
public sealed class GemmHeadsPackingTests
{
    [Theory]
    [InlineData(7, 16, 32, true)]    // one whole Kᵀ panel, four 8 × 8 blocks per column group
    [InlineData(5, 33, 13, true)]    // a k tail of 5, two whole panels and one column
    [InlineData(9, 27, 8, true)]     // columns 16..23 transposed, 24..26 one by one
    [InlineData(3, 7, 3, true)]      // under one block both ways
    [InlineData(11, 32, 20, false)]  // V: whole panels
    [InlineData(6, 21, 9, false)]    // V: a partial panel
    public void Heads_match_a_double_loop(int m, int n, int k, bool transB)
    {
        const int heads = 3;
        const float alpha = 0.375f;
        int lda = heads * k + 2, ldb = heads * (transB ? k : n) + 1, ldc = heads * n + 3;
        var random = new Random(m * 1000 + n * 10 + k);
        var a = Values(random, m * lda);
        var b = Values(random, (transB ? n : k) * ldb);
        var bias = Values(random, n);
        var c = new float[m * ldc];
        var sizes = new int[(int)Arg.Count];
        sizes[(int)Arg.Batch] = 1;
        sizes[(int)Arg.Heads] = heads;
        (sizes[(int)Arg.M], sizes[(int)Arg.N], sizes[(int)Arg.K]) = (m, n, k);
        (sizes[(int)Arg.AHeadStride], sizes[(int)Arg.Lda]) = (k, lda);
        (sizes[(int)Arg.BHeadStride], sizes[(int)Arg.Ldb], sizes[(int)Arg.TransB]) = (transB ? k : n, ldb, transB ? 1 : 0);
        (sizes[(int)Arg.CHeadStride], sizes[(int)Arg.Ldc]) = (n, ldc);

        Kernels.GemmHeads(a, b, bias, new float[Kernels.PackedBLength(k, n)], c, sizes, alpha);

        for (var h = 0; h < heads; h++)
        {
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    double sum = 0, magnitude = 0;
                    for (var q = 0; q < k; q++)
                    {
                        var bv = transB ? b[j * ldb + h * k + q] : b[q * ldb + h * n + j];
                        var product = (double)a[i * lda + h * k + q] * bv;
                        sum += product;
                        magnitude += Math.Abs(product);
                    }

                    var expected = alpha * sum + bias[j];
                    var actual = c[i * ldc + h * n + j];
                    Assert.True(Math.Abs(actual - expected) <= 1e-5 * (1 + magnitude), $"head {h} [{i},{j}] on {KernelDispatch.Current.Fp32Gemm}: {actual} vs {expected}");
                }
            }
        }
    }

    [Theory]
    [InlineData(7, 16, 8)]   // whole vectors
    [InlineData(5, 21, 4)]   // a vector tail
    [InlineData(3, 1, 6)]    // one key: every probability 1
    public void Scores_rows_become_their_softmax_and_the_row_padding_is_untouched(int m, int n, int k)
    {
        const int heads = 2;
        const float alpha = 0.5f, untouched = 42f;
        int lda = heads * k, ldb = heads * k, ldc = n + 3; // Kᵀ heads in place, C rows padded
        var random = new Random(m * 100 + n);
        var a = Values(random, m * lda);
        var b = Values(random, n * ldb);
        var mask = Enumerable.Range(0, n).Select(j => j == n - 1 && n > 1 ? -10000f : 0f).ToArray();
        var c = Enumerable.Repeat(untouched, heads * m * ldc).ToArray();
        var sizes = new int[(int)Arg.Count];
        sizes[(int)Arg.Batch] = 1;
        sizes[(int)Arg.Heads] = heads;
        (sizes[(int)Arg.M], sizes[(int)Arg.N], sizes[(int)Arg.K]) = (m, n, k);
        (sizes[(int)Arg.AHeadStride], sizes[(int)Arg.Lda]) = (k, lda);
        (sizes[(int)Arg.BHeadStride], sizes[(int)Arg.Ldb], sizes[(int)Arg.TransB]) = (k, ldb, 1);
        (sizes[(int)Arg.CHeadStride], sizes[(int)Arg.Ldc]) = (m * ldc, ldc);
        sizes[(int)Arg.SoftmaxRows] = 1;

        Kernels.GemmHeads(a, b, mask, new float[Kernels.PackedBLength(k, n)], c, sizes, alpha);

        for (var h = 0; h < heads; h++)
        {
            for (var i = 0; i < m; i++)
            {
                var scores = Enumerable.Range(0, n).Select(j =>
                    alpha * Enumerable.Range(0, k).Sum(q => (double)a[i * lda + h * k + q] * b[j * ldb + h * k + q]) + mask[j]).ToArray();
                var max = scores.Max();
                var total = scores.Sum(v => Math.Exp(v - max));
                var row = h * m * ldc + i * ldc;
                for (var j = 0; j < n; j++)
                {
                    var expected = Math.Exp(scores[j] - max) / total;
                    Assert.True(Math.Abs(c[row + j] - expected) <= 1e-6 + 1e-5 * expected, $"head {h} [{i},{j}] on {KernelDispatch.Current.Fp32Gemm}: {c[row + j]} vs {expected}");
                }

                Assert.All(c[(row + n)..(row + ldc)], v => Assert.Equal(untouched, v));
            }
        }
    }

    private static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
}

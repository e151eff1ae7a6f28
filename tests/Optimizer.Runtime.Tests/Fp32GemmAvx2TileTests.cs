using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The fp32 GEMM job on this process's path (the 6 × 16 AVX2 tile here on an AVX2 + FMA CPU under
/// <c>DOTNET_EnableAVX512=0</c>; the scalar loop under <c>DOTNET_EnableHWIntrinsic=0</c>) against a
/// double-precision loop: every row count from 1 to 13 (whole 6-row tiles, then the 5-, 4-, 3-row and
/// single-row remainders), N not a multiple of 16, odd K, a bias per row or per column, alpha, each
/// activation, and A and C rows wider than the product (the cells past N keep their value).
/// </summary>
public sealed class Fp32GemmAvx2TileTests
{
    private const float Alpha = 0.75f, ActMin = -0.2f, ActMax = 0.3f, Untouched = 1234.5f;

    public static TheoryData<int, int, int, int, bool> Cases()
    {
        var data = new TheoryData<int, int, int, int, bool>();
        for (var m = 1; m <= 13; m++)
        {
            // Columns: under one panel, one past a panel, three panels less one; K = 1, odd, and long.
            data.Add(m, 7, 1, m % 3, m % 2 == 0);
            data.Add(m, 17, 33, (m + 1) % 3, m % 2 == 1);
            data.Add(m, 47, 129, (m + 2) % 3, m % 2 == 0);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Job_matches_a_double_loop(int m, int n, int k, int act, bool biasPerRow)
    {
        int lda = k + 3, ldc = n + 5;
        var random = new Random(m * 10_000 + n * 100 + k);
        var a = Values(random, m * lda);
        var b = Values(random, k * n);
        var bias = Values(random, biasPerRow ? m : n);
        var packed = new float[Kernels.PackedBLength(k, n)];
        Kernels.PackB(b, packed, 1, k, n, 0, 0);
        var c = Enumerable.Repeat(Untouched, m * ldc).ToArray();

        Kernels.GemmStrided(a, lda, packed, k, bias, biasPerRow, c, ldc, m, n, Alpha, act, ActMin, ActMax);

        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < ldc; j++)
            {
                var actual = c[i * ldc + j];
                if (j >= n)
                {
                    Assert.Equal(Untouched, actual);
                    continue;
                }

                double sum = 0, magnitude = 0;
                for (var q = 0; q < k; q++)
                {
                    var product = (double)a[i * lda + q] * b[q * n + j];
                    sum += product;
                    magnitude += Math.Abs(product);
                }

                var expected = Activate(Alpha * sum + (biasPerRow ? bias[i] : bias[j]), act);
                Assert.True(Math.Abs(actual - expected) <= 1e-5 * (1 + magnitude),
                    $"[{i},{j}] on {KernelDispatch.Current.Fp32Gemm}: {actual} vs {expected}");
            }
        }
    }

    public static TheoryData<int, int, int, bool> RegisterTileCases()
    {
        // Rows: one 6-row tile, two, a 4-row tile alone, 6 + 4, BERT's 16 tokens (6 + 6 + 4) and 128
        // (6-row tiles then two 4-row ones); two whole panels and a partial third (n = 40).
        var data = new TheoryData<int, int, int, bool>();
        foreach (var act in Enum.GetValues<Kernels.EpilogueActivation>())
        {
            foreach (var m in new[] { 6, 12, 4, 10, 16, 128 })
            {
                data.Add(m, (int)act, 37, m % 4 == 0);
            }
        }

        return data;
    }

    /// <summary>
    /// The 6- and 4-row tiles store whole panels through the epilogue from their accumulators (no
    /// spilled tile): every activation with its parameters, alpha and a bias per row or per column.
    /// </summary>
    [Theory]
    [MemberData(nameof(RegisterTileCases))]
    public void Register_tiles_apply_every_epilogue(int m, int act, int k, bool biasPerRow)
    {
        const int n = 40;
        var (p0, p1) = EpilogueParameters[act];
        var random = new Random(m * 100 + act);
        var a = Values(random, m * k);
        var b = Values(random, k * n);
        var bias = Values(random, biasPerRow ? m : n);
        var packed = new float[Kernels.PackedBLength(k, n)];
        Kernels.PackB(b, packed, 1, k, n, 0, 0);
        var c = new float[m * n];

        Kernels.GemmStrided(a, k, packed, k, bias, biasPerRow, c, n, m, n, Alpha, act, p0, p1);

        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (var q = 0; q < k; q++)
                {
                    var product = (double)a[i * k + q] * b[q * n + j];
                    sum += product;
                    magnitude += Math.Abs(product);
                }

                var expected = EpilogueActivationTests.Activate(Alpha * sum + (biasPerRow ? bias[i] : bias[j]), act, p0, p1);
                Assert.True(Math.Abs(c[i * n + j] - expected) <= 1e-5 * (1 + magnitude + Math.Abs(expected)),
                    $"[{i},{j}] act {act} on {KernelDispatch.Current.Fp32Gemm}: {c[i * n + j]} vs {expected}");
            }
        }
    }

    // p0, p1 per EpilogueActivation: Clamp's bounds, HardSwish's affine, HardSigmoid's α and β, LeakyRelu's α and floor (Gelu has none).
    private static readonly (float P0, float P1)[] EpilogueParameters = [(0f, 0f), (0f, 0f), (-0.2f, 0.3f), (1.5f, -0.25f), (0.2f, 0.5f), (0.1f, -0.05f), (0f, 0f)];

    private static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

    private static double Activate(double v, int act) => act switch
    {
        1 => Math.Max(v, 0),
        2 => Math.Min(Math.Max(v, ActMin), ActMax),
        _ => v,
    };
}

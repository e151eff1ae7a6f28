using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The fp32 GEMM and convolution on this process's path (<see cref="KernelDispatch.Current"/>:
/// the AVX-512 tiles on a CPU with AVX-512F, the AVX2 ones under <c>DOTNET_EnableAVX512=0</c>, see
/// Compiler.Tests' IsaPathTests) against a double-precision loop, on sizes that are not multiples of
/// the tiles: rows left below an 8-row tile, an odd last panel, fewer than 16 columns, K = 1.
/// </summary>
public sealed class Fp32GemmTileTests
{
    [Theory]
    [InlineData(1, 1, 1, 0)]
    [InlineData(8, 32, 1, 0)]      // one full 8 × 32 tile, K = 1
    [InlineData(8, 16, 7, 1)]      // one panel: the 8 × 16 tile
    [InlineData(9, 33, 5, 2)]      // one row and one column past the tiles
    [InlineData(17, 47, 13, 1)]    // 8-row tiles, then one row; a pair of panels and a partial one
    [InlineData(7, 15, 3, 0)]      // below one tile in both directions
    [InlineData(16, 5, 40, 2)]     // N < 16: masked stores
    [InlineData(24, 80, 64, 1)]    // whole tiles, two pairs of panels and an odd one
    [InlineData(13, 100, 37, 0)]
    public void Gemm_matches_a_double_loop(int m, int n, int k, int act)
    {
        const int batch = 2;
        var random = new Random(m * 10_000 + n * 100 + k);
        var a = Values(random, batch * m * k);
        var b = Values(random, batch * k * n);
        var bias = Values(random, n);
        var packed = new float[batch * Kernels.PackedBLength(k, n)];
        Kernels.PackB(b, packed, batch, k, n, 0, k * n);
        var c = new float[batch * m * n];
        const float alpha = 0.75f, actMin = -0.2f, actMax = 0.3f;

        Kernels.Gemm(a, packed, bias, c, batch, m, n, k, m * k, Kernels.PackedBLength(k, n), m * n, act, alpha, actMin, actMax);

        for (var bi = 0; bi < batch; bi++)
        {
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    double sum = 0, magnitude = 0;
                    for (var q = 0; q < k; q++)
                    {
                        var product = (double)a[bi * m * k + i * k + q] * b[bi * k * n + q * n + j];
                        sum += product;
                        magnitude += Math.Abs(product);
                    }

                    var expected = Activate(alpha * sum + bias[j], act, actMin, actMax);
                    var actual = c[bi * m * n + i * n + j];
                    Assert.True(Math.Abs(actual - expected) <= 1e-5 * (1 + magnitude),
                        $"[{bi},{i},{j}] on {KernelDispatch.Current.Fp32Gemm}: {actual} vs {expected}");
                }
            }
        }
    }

    /// <summary>A convolution's GEMM has the weights as A and a bias per row (output channel).</summary>
    [Theory]
    [InlineData(24, 3, 9, 7, 1)]   // 24 channels: three 8-row tiles; 63 pixels: a pair of panels, then a partial one
    [InlineData(12, 5, 6, 6, 2)]   // 12 channels: one 8-row tile and four AVX2 rows; clamp
    public void Conv_matches_a_double_loop_with_a_bias_per_channel(int m, int c, int h, int w, int act)
    {
        const int kernel = 3;
        var random = new Random(m * 100 + c);
        var x = Values(random, c * h * w);
        var weights = Values(random, m * c * kernel * kernel);
        var bias = Values(random, m);
        var y = new float[m * h * w];
        var scratch = new float[Kernels.ConvScratchLength(c, h, w, kernel, kernel, h, w, 1, 1, 1, 1, 1, 1, 1)];

        Kernels.Conv(x, weights, bias, y, scratch, 1, c, h, w, m, kernel, kernel, h, w, 1, 1, 1, 1, 1, 1, 1, act, -0.2f, 0.3f);

        for (var oc = 0; oc < m; oc++)
        {
            for (var oy = 0; oy < h; oy++)
            {
                for (var ox = 0; ox < w; ox++)
                {
                    double sum = bias[oc];
                    for (var ci = 0; ci < c; ci++)
                    {
                        for (var ky = 0; ky < kernel; ky++)
                        {
                            for (var kx = 0; kx < kernel; kx++)
                            {
                                var (iy, ix) = (oy + ky - 1, ox + kx - 1);
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                {
                                    sum += (double)x[(ci * h + iy) * w + ix] * weights[((oc * c + ci) * kernel + ky) * kernel + kx];
                                }
                            }
                        }
                    }

                    var expected = Activate(sum, act, -0.2f, 0.3f);
                    var actual = y[(oc * h + oy) * w + ox];
                    Assert.True(Math.Abs(actual - expected) <= 1e-5, $"[{oc},{oy},{ox}] on {KernelDispatch.Current.Fp32Gemm}: {actual} vs {expected}");
                }
            }
        }
    }

    private static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

    private static double Activate(double v, int act, float min, float max) => act switch
    {
        1 => Math.Max(v, 0),
        2 => Math.Min(Math.Max(v, min), max),
        _ => v,
    };
}

using Optimizer.Runtime.Compiled;
using Act = Optimizer.Runtime.Compiled.Kernels.EpilogueActivation;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The epilogue activations (<see cref="Kernels.EpilogueActivation"/>) on this process's path (AVX-512,
/// AVX2 under <c>DOTNET_EnableAVX512=0</c>, scalar under <c>DOTNET_EnableHWIntrinsic=0</c>) against a
/// double-precision reference: the standalone <see cref="Kernels.AffineActivation"/> step with and
/// without a per-channel affine, and HardSwish with its post-affine in the GEMM and convolution
/// epilogues (GEMM tiles, the small-K and depthwise convolutions), at sizes that leave vector tails.
/// Inputs span [−5, 5) so HardSwish's both bends and its middle are hit.
/// </summary>
public sealed class EpilogueActivationTests
{
    public static TheoryData<int, int, int, int, bool> AffineCases()
    {
        var cases = new TheoryData<int, int, int, int, bool>();
        foreach (var act in Enum.GetValues<Act>())
        {
            cases.Add(2, 3, 17, (int)act, true);   // a vector and a tail per channel
            cases.Add(1, 1, 40, (int)act, false);  // no affine: the activation alone
            cases.Add(2, 5, 1, (int)act, true);    // one float per channel
            cases.Add(1, 2, 33, (int)act, true);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(AffineCases))]
    public void Affine_activation_matches_a_double_reference(int outer, int channels, int inner, int act, bool affine)
    {
        var random = new Random(outer * 1000 + channels * 100 + inner + act);
        var x = Values(random, outer * channels * inner, 5f);
        var (scale, shift) = affine ? (Values(random, channels, 2f), Values(random, channels, 1f)) : ([], []);
        var y = new float[x.Length];
        const float p0 = -0.4f, p1 = 0.7f;

        Kernels.AffineActivation(x, y, scale, shift, outer, channels, inner, act, p0, p1);

        for (var i = 0; i < x.Length; i++)
        {
            var c = i / inner % channels;
            var v = affine ? (double)x[i] * scale[c] + shift[c] : x[i];
            var expected = Activate(v, act, p0, p1);
            Assert.True(Math.Abs(y[i] - expected) <= 1e-5 * (1 + Math.Abs(expected)), $"[{i}] act {act} on {KernelDispatch.Current.Fp32Gemm}: {y[i]} vs {expected}");
        }
    }

    [Fact]
    public void Affine_activation_allocates_nothing()
    {
        var x = Values(new Random(3), 3 * 50, 5f);
        var y = new float[x.Length];
        float[] scale = [0.5f, 2f, -1f], shift = [0.1f, 0.2f, 0.3f];
        Kernels.AffineActivation(x, y, scale, shift, 1, 3, 50, (int)Act.HardSwish, 1f, 0f);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Kernels.AffineActivation(x, y, scale, shift, 1, 3, 50, (int)Act.HardSwish, 1f, 0f);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Theory]
    [InlineData(1, 17, 9)]   // one row: the row kernels
    [InlineData(9, 33, 5)]   // a row past the 8-row tile, a partial panel
    [InlineData(8, 16, 7)]   // whole tiles
    [InlineData(5, 5, 3)]    // masked stores
    public void Gemm_applies_hardswish_and_its_affine(int m, int n, int k)
    {
        var random = new Random(m * 100 + n);
        var a = Values(random, m * k, 3f);
        var b = Values(random, k * n, 1f);
        var bias = Values(random, n, 1f);
        var packed = new float[Kernels.PackedBLength(k, n)];
        Kernels.PackB(b, packed, 1, k, n, 0, k * n);
        var c = new float[m * n];
        const float p0 = 1.5f, p1 = -0.25f;

        Kernels.Gemm(a, packed, bias, c, 1, m, n, k, 0, 0, 0, (int)Act.HardSwish, 1f, p0, p1);

        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = bias[j];
                for (var q = 0; q < k; q++)
                {
                    sum += (double)a[i * k + q] * b[q * n + j];
                }

                var expected = Activate(sum, (int)Act.HardSwish, p0, p1);
                Assert.True(Math.Abs(c[i * n + j] - expected) <= 1e-5 * (1 + Math.Abs(expected) + k), $"[{i},{j}] on {KernelDispatch.Current.Fp32Gemm}: {c[i * n + j]} vs {expected}");
            }
        }
    }

    [Theory]
    [InlineData(1, 5, 1)]    // one input channel: the small-K kernel
    [InlineData(6, 6, 6)]    // depthwise
    [InlineData(6, 11, 1)]   // the GEMM tiles
    public void Conv_applies_hardswish_and_its_affine(int c, int m, int group)
    {
        const int kernel = 3, h = 7, w = 19;
        var random = new Random(c * 100 + m);
        var x = Values(random, c * h * w, 3f);
        var weights = Values(random, m * c / group * kernel * kernel, 1f);
        var bias = Values(random, m, 1f);
        var y = new float[m * h * w];
        var scratch = new float[Kernels.ConvScratchLength(c, h, w, kernel, kernel, h, w, 1, 1, 1, 1, 1, 1, group)];
        const float p0 = 0.8f, p1 = 0.1f;

        Kernels.Conv(x, weights, bias, y, scratch, 1, c, h, w, m, kernel, kernel, h, w, 1, 1, 1, 1, 1, 1, group, (int)Act.HardSwish, p0, p1);

        var perGroup = c / group;
        for (var oc = 0; oc < m; oc++)
        {
            for (var oy = 0; oy < h; oy++)
            {
                for (var ox = 0; ox < w; ox++)
                {
                    double sum = bias[oc];
                    for (var ci = 0; ci < perGroup; ci++)
                    {
                        var input = oc / (m / group) * perGroup + ci;
                        for (var ky = 0; ky < kernel; ky++)
                        {
                            for (var kx = 0; kx < kernel; kx++)
                            {
                                var (iy, ix) = (oy + ky - 1, ox + kx - 1);
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                {
                                    sum += (double)x[(input * h + iy) * w + ix] * weights[((oc * perGroup + ci) * kernel + ky) * kernel + kx];
                                }
                            }
                        }
                    }

                    var expected = Activate(sum, (int)Act.HardSwish, p0, p1);
                    var actual = y[(oc * h + oy) * w + ox];
                    Assert.True(Math.Abs(actual - expected) <= 1e-4, $"[{oc},{oy},{ox}] on {KernelDispatch.Current.Fp32Gemm}: {actual} vs {expected}");
                }
            }
        }
    }

    private static float[] Values(Random random, int count, float range) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * range).ToArray();

    internal static double Activate(double v, int act, float p0, float p1) => (Act)act switch
    {
        Act.Relu => Math.Max(v, 0),
        Act.Clamp => Math.Min(Math.Max(v, p0), p1),
        Act.HardSwish => v * Math.Clamp(v + 3, 0, 6) / 6 * p0 + p1,
        Act.HardSigmoid => Math.Clamp(v * p0 + p1, 0, 1),
        Act.LeakyRelu => Math.Max(Math.Max(v, (double)p0 * v), p1),
        Act.Gelu => v * (1 + Erf(v / Math.Sqrt(2))) / 2,
        _ => v,
    };

    /// <summary>erf by its Maclaurin series (double keeps ~11 digits through the cancellation up to |x| = 4); ±1 beyond, within 2e-8.</summary>
    private static double Erf(double x)
    {
        if (Math.Abs(x) > 4)
        {
            return Math.Sign(x);
        }

        double sum = 0, term = x; // term = (−1)ⁿ x^(2n+1) / n!
        for (var n = 0; n < 80; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }

        return sum * 2 / Math.Sqrt(Math.PI);
    }
}

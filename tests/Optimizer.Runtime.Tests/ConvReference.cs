using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>The direct sum in double that the small-plane conv kernels' tests compare with.</summary>
internal static class ConvReference
{
    /// <summary>Values in [−0.5, 0.5).</summary>
    public static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

    /// <summary>
    /// Asserts that <paramref name="y"/> is the NCHW convolution of <paramref name="x"/> (one group,
    /// unit strides and dilation) plus the bias, through the epilogue (0 none, 1 Relu, 2 clamp),
    /// within 1e-5 of the magnitude of each output's sum (the kernels add in other orders, Winograd
    /// through its transforms).
    /// </summary>
    public static void AssertMatches(float[] x, float[] weights, float[] bias, float[] y, int n, int c, int h, int w, int m, int kh, int kw,
        int oh, int ow, int padTop, int padLeft, int act, float actMin, float actMax)
    {
        for (var i = 0; i < n; i++)
        {
            for (var oc = 0; oc < m; oc++)
            {
                for (var oy = 0; oy < oh; oy++)
                {
                    for (var ox = 0; ox < ow; ox++)
                    {
                        double sum = bias.Length > 0 ? bias[oc] : 0, magnitude = 0;
                        for (var ci = 0; ci < c; ci++)
                        {
                            for (var ky = 0; ky < kh; ky++)
                            {
                                for (var kx = 0; kx < kw; kx++)
                                {
                                    var (iy, ix) = (oy + ky - padTop, ox + kx - padLeft);
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                    {
                                        var product = (double)x[((i * c + ci) * h + iy) * w + ix] * weights[((oc * c + ci) * kh + ky) * kw + kx];
                                        sum += product;
                                        magnitude += Math.Abs(product);
                                    }
                                }
                            }
                        }

                        var expected = act switch { 1 => Math.Max(sum, 0), 2 => Math.Clamp(sum, actMin, actMax), _ => sum };
                        var actual = y[((i * m + oc) * oh + oy) * ow + ox];
                        Assert.True(Math.Abs(actual - expected) <= 1e-5 * (1 + magnitude),
                            $"image {i}, channel {oc}, ({oy},{ox}) on {KernelDispatch.Current.Fp32Gemm}: {actual} vs {expected}");
                    }
                }
            }
        }
    }
}

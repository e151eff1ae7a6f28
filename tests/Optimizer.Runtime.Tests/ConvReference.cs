using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>The direct sum in double that the conv kernels' tests compare with.</summary>
internal static class ConvReference
{
    /// <summary>One output of <see cref="Sums"/>: where it is (and its NCHW index in y), its sum with the bias, and the sum of its products' magnitudes.</summary>
    public readonly record struct Output(int Image, int Channel, int Y, int X, int Index, double Sum, double Magnitude)
    {
        public override string ToString() => $"image {Image}, channel {Channel}, ({Y},{X})";
    }

    /// <summary>Values in [−0.5, 0.5).</summary>
    public static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

    /// <summary>
    /// Every output of the NCHW convolution of <paramref name="x"/> (one group, no dilation) plus the
    /// bias (none when empty), before any activation, summed in double.
    /// </summary>
    public static IEnumerable<Output> Sums(float[] x, float[] weights, float[] bias, int n, int c, int h, int w, int m, int kh, int kw,
        int oh, int ow, int padTop, int padLeft, int strideH = 1, int strideW = 1)
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
                                    var (iy, ix) = (oy * strideH + ky - padTop, ox * strideW + kx - padLeft);
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                    {
                                        var product = (double)x[((i * c + ci) * h + iy) * w + ix] * weights[((oc * c + ci) * kh + ky) * kw + kx];
                                        sum += product;
                                        magnitude += Math.Abs(product);
                                    }
                                }
                            }
                        }

                        yield return new Output(i, oc, oy, ox, ((i * m + oc) * oh + oy) * ow + ox, sum, magnitude);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Asserts that <paramref name="y"/> is <see cref="Sums"/> at unit strides through the epilogue
    /// (0 none, 1 Relu, 2 clamp), within 1e-5 of the magnitude of each output's sum (the kernels add
    /// in other orders, Winograd through its transforms).
    /// </summary>
    public static void AssertMatches(float[] x, float[] weights, float[] bias, float[] y, int n, int c, int h, int w, int m, int kh, int kw,
        int oh, int ow, int padTop, int padLeft, int act, float actMin, float actMax)
    {
        foreach (var output in Sums(x, weights, bias, n, c, h, w, m, kh, kw, oh, ow, padTop, padLeft))
        {
            var expected = act switch { 1 => Math.Max(output.Sum, 0), 2 => Math.Clamp(output.Sum, actMin, actMax), _ => output.Sum };
            var actual = y[output.Index];
            Assert.True(Math.Abs(actual - expected) <= 1e-5 * (1 + output.Magnitude),
                $"{output} on {KernelDispatch.Current.Fp32Gemm}: {actual} vs {expected}");
        }
    }
}

using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// Max pools whose windows are two columns at column stride 2 (the wake-word embedding's
/// 1×2/(1,2) pools, and k×2 windows after their rows are reduced), which run
/// Kernels.Pool.ColumnPairs.cs's shuffle path, against the plain loop of the definition: widths
/// whose output rows are whole octets and ones that leave a scalar tail, a last column outside
/// every window (odd width), one and several window rows, row strides 1 and 2.
/// </summary>
public sealed class PoolColumnPairsTests
{
    [Theory]
    [InlineData(48, 32, 16, 1, 1)] // the wake-word embedding's max_pooling2d_1
    [InlineData(96, 10, 4, 1, 1)]  // max_pooling2d_3: two outputs a row, all scalar tail
    [InlineData(3, 5, 35, 1, 1)]   // 17 outputs a row (two octets and one), the 35th column in no window
    [InlineData(2, 7, 40, 3, 2)]   // 3-row windows at row stride 2
    [InlineData(5, 4, 18, 2, 1)]   // 2-row windows overlapping at row stride 1
    public void Matches_the_definition(int planes, int h, int w, int kh, int strideH)
    {
        int oh = (h - kh) / strideH + 1, ow = (w - 2) / 2 + 1;
        var random = new Random(planes * 31 + w);
        var x = Enumerable.Range(0, planes * h * w).Select(_ => (float)random.NextDouble() * 4 - 2).ToArray();
        var y = new float[planes * oh * ow];
        Kernels.Pool(x, y, 0, planes, h, w, oh, ow, kh, 2, 0, 0, 0, 0, strideH, 2, 1, 1, 0);
        for (var p = 0; p < planes; p++)
        {
            for (var oy = 0; oy < oh; oy++)
            {
                for (var ox = 0; ox < ow; ox++)
                {
                    var expected = float.NegativeInfinity;
                    for (var ky = 0; ky < kh; ky++)
                    {
                        for (var kx = 0; kx < 2; kx++)
                        {
                            expected = Math.Max(expected, x[(p * h + oy * strideH + ky) * w + 2 * ox + kx]);
                        }
                    }

                    Assert.Equal(expected, y[(p * oh + oy) * ow + ox]);
                }
            }
        }
    }
}

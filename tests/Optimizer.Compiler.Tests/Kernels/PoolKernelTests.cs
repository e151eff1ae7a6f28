using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>
/// Max pooling 2×2, stride 2 against a naive loop, bit for bit, on each of its paths: whole octets
/// per row (AVX2), whole quads (SSE, quads pairing across row pairs when a row is one quad), and
/// ragged widths or a cut last row (scalar). NaN and signed zeros are not in the data: the
/// vector paths keep MathF.Max's operand order, not its NaN rule.
/// </summary>
public sealed class PoolKernelTests
{
    [Theory]
    [InlineData(64 * 16, 8, 8)]   // digits pool1 at batch 64: one octet per row
    [InlineData(3, 6, 16)]        // two octets per row, three row pairs
    [InlineData(5, 4, 4)]         // digits pool2: one quad per row (AVX-512: two groups of four row pairs, then two on SSE)
    [InlineData(64 * 32, 4, 4)]   // digits pool2 at batch 64: whole groups of four row pairs (AVX-512)
    [InlineData(3, 6, 4)]         // 4-wide, odd pair count 9: eight on AVX-512, one on SSE
    [InlineData(2, 4, 12)]        // three quads per row: the SSE path with a lone last quad
    [InlineData(3, 7, 10)]        // odd height, ragged width: scalar
    public void Max_pool_2x2_matches_a_naive_loop(int planes, int h, int w)
    {
        var (oh, ow) = (h / 2, w / 2);
        var random = new Random(planes * 100 + h * 10 + w);
        var x = Enumerable.Range(0, planes * h * w).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var y = new float[planes * oh * ow];
        Optimizer.Runtime.Compiled.Kernels.Pool(x, y, 0, planes, h, w, oh, ow, 2, 2, 0, 0, 0, 0, 2, 2, 1, 1, 0);
        for (var plane = 0; plane < planes; plane++)
        {
            for (var oy = 0; oy < oh; oy++)
            {
                for (var ox = 0; ox < ow; ox++)
                {
                    var top = plane * h * w + 2 * oy * w + 2 * ox;
                    var expected = MathF.Max(MathF.Max(x[top], x[top + 1]), MathF.Max(x[top + w], x[top + w + 1]));
                    Assert.Equal(expected, y[(plane * oh + oy) * ow + ox]);
                }
            }
        }
    }

    /// <summary>
    /// Pools whose windows all lie inside the input (the separable path: window rows reduced in vector
    /// passes, then each window's columns) against the naive definition: max bit for bit, average
    /// within float rounding (the taps are summed in another order).
    /// </summary>
    [Theory]
    [InlineData(1, 480, 3, 80, 3, 2, 3, 2, 1)]   // PP-OCRv4 rec's AveragePool 3×2/3×2 → [1, 480, 1, 40]
    [InlineData(1, 480, 3, 80, 3, 2, 3, 2, 0)]
    [InlineData(0, 5, 11, 13, 3, 3, 2, 2, 1)]    // overlapping 3×3/2; the last row and column unread
    [InlineData(1, 5, 11, 13, 3, 3, 2, 2, 1)]
    [InlineData(1, 3, 7, 9, 2, 3, 2, 3, 1)]      // 2×3/2×3 with a ragged edge
    [InlineData(0, 4, 9, 33, 1, 5, 1, 4, 1)]     // 1×5/1×4 windows along rows
    [InlineData(1, 2, 12, 6, 4, 1, 3, 1, 2)]     // 4×1/3×1, rows dilated by 2
    public void Pools_with_every_window_inside_match_the_definition(int kind, int planes, int h, int w, int kh, int kw, int strideH, int strideW, int dilH)
    {
        var oh = (h - ((kh - 1) * dilH + 1)) / strideH + 1;
        var ow = (w - kw) / strideW + 1;
        var random = new Random(planes * 100 + h * 10 + w + kind);
        var x = Enumerable.Range(0, planes * h * w).Select(_ => (float)random.NextDouble() * 4 - 2).ToArray();
        var y = new float[planes * oh * ow + 1];
        y[^1] = 12345f;
        Optimizer.Runtime.Compiled.Kernels.Pool(x, y, kind, planes, h, w, oh, ow, kh, kw, 0, 0, 0, 0, strideH, strideW, dilH, 1, 0);
        for (var plane = 0; plane < planes; plane++)
        {
            for (var oy = 0; oy < oh; oy++)
            {
                for (var ox = 0; ox < ow; ox++)
                {
                    var taps = new List<float>();
                    for (var ky = 0; ky < kh; ky++)
                    {
                        for (var kx = 0; kx < kw; kx++)
                        {
                            taps.Add(x[plane * h * w + (oy * strideH + ky * dilH) * w + ox * strideW + kx]);
                        }
                    }

                    var actual = y[(plane * oh + oy) * ow + ox];
                    if (kind == 0)
                    {
                        Assert.Equal(taps.Max(), actual);
                    }
                    else
                    {
                        Assert.Equal(taps.Average(), actual, 1e-5);
                    }
                }
            }
        }

        Assert.Equal(12345f, y[^1]);
    }
}

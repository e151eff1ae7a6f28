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
}

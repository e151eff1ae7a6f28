namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>
/// Nearest-neighbour upsampling by whole factors (<see cref="Optimizer.Runtime.Compiled.Kernels.Upsample"/>)
/// against its definition y[r, kh, i, kw] = x[r, i], bit for bit: each power-of-two factor on the
/// zmm / ymm permutes (rows of whole vectors, short rows that read into the next row, the last row's
/// scalar tail), other factors on the fill fallback, and factor 1 along either axis. The output
/// buffer is one element longer than needed, and that element must stay untouched.
/// </summary>
public sealed class UpsampleKernelTests
{
    [Theory]
    [InlineData(96 * 40, 40, 2, 2)]   // PP-OCRv4 det's p2o.Resize.2: [1, 96, 40, 40] → [1, 96, 80, 80]
    [InlineData(96 * 10, 10, 8, 8)]   // the FPN's coarsest level ×8
    [InlineData(96 * 20, 20, 4, 4)]
    [InlineData(7, 37, 2, 2)]         // odd width: whole vectors, then a short run and a scalar tail
    [InlineData(5, 3, 4, 4)]          // rows shorter than a vector
    [InlineData(3, 17, 16, 1)]        // 16 along W: broadcasts; H unchanged
    [InlineData(4, 9, 1, 3)]          // a factor that is not a power of two
    [InlineData(2, 5, 32, 2)]         // wider than a zmm per element
    [InlineData(1, 1, 2, 2)]
    [InlineData(6, 11, 2, 1)]         // W unchanged: rows copied
    public void Upsample_matches_its_definition(int rows, int w, int repeatW, int repeatH)
    {
        var random = new Random(rows * 1000 + w * 10 + repeatW);
        var x = Enumerable.Range(0, rows * w).Select(_ => (float)random.NextDouble() * 4 - 2).ToArray();
        var outW = w * repeatW;
        var y = new float[rows * repeatH * outW + 1];
        y[^1] = 12345f;

        Optimizer.Runtime.Compiled.Kernels.Upsample(x, y, rows, w, repeatH, repeatW);

        for (var r = 0; r < rows; r++)
        {
            for (var kh = 0; kh < repeatH; kh++)
            {
                for (var o = 0; o < outW; o++)
                {
                    Assert.Equal(x[r * w + o / repeatW], y[(r * repeatH + kh) * outW + o]);
                }
            }
        }

        Assert.Equal(12345f, y[^1]);
    }

    [Fact]
    public void Operands_smaller_than_the_dimensions_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Optimizer.Runtime.Compiled.Kernels.Upsample(new float[10], new float[39], 2, 5, 2, 2));
        Assert.Throws<ArgumentException>(() => Optimizer.Runtime.Compiled.Kernels.Upsample(new float[9], new float[40], 2, 5, 2, 2));
    }
}

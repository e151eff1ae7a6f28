using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The attention-score softmax (contiguous rows, the vector exp polynomial) against its definition
/// in double: row lengths around the 8- and 16-lane vectors, masked scores (−10000 as BERT adds,
/// −∞), in place, and NaN kept.
/// </summary>
public sealed class SoftmaxRowsKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(33)]
    [InlineData(128)]
    public void Rows_match_the_definition_within_a_few_ulp_masked_entries_included(int length)
    {
        const int rows = 5;
        var x = Enumerable.Range(0, rows * length).Select(i => (float)(new Random(i).NextDouble() * 30 - 15)).ToArray();
        x[^1] += -10000f;
        if (length > 2)
        {
            x[length + 1] = float.NegativeInfinity;
        }

        var y = new float[x.Length];
        Kernels.Softmax(x, y, rows, length, 1, 0);
        var inPlace = (float[])x.Clone();
        Kernels.Softmax(inPlace, inPlace, rows, length, 1, 0);

        for (var r = 0; r < rows; r++)
        {
            var row = x.Skip(r * length).Take(length).Select(v => (double)v).ToArray();
            var max = row.Max();
            var sum = row.Sum(v => Math.Exp(v - max));
            for (var j = 0; j < length; j++)
            {
                var expected = Math.Exp(row[j] - max) / sum;
                Assert.True(Math.Abs(y[r * length + j] - expected) <= 2e-6 * expected + 1e-30, $"row {r} column {j}: {y[r * length + j]} vs {expected}");
            }
        }

        Assert.Equal(y, inPlace);
    }

    [Fact]
    public void A_NaN_score_makes_its_row_NaN_and_leaves_the_others()
    {
        var x = Enumerable.Range(0, 2 * 40).Select(i => i * 0.01f).ToArray();
        x[23] = float.NaN;
        var y = new float[x.Length];

        Kernels.Softmax(x, y, 2, 40, 1, 0);

        Assert.All(y.Take(40), v => Assert.True(float.IsNaN(v)));
        Assert.All(y.Skip(40), v => Assert.False(float.IsNaN(v)));
    }
}

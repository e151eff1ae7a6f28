using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The vector passes the encoder and CNN steps take (softmax and reductions over contiguous rows,
/// Pow(x, 2), LeakyRelu / Clip / HardSigmoid) against their scalar definitions, in place too
/// (the arena may give a step one buffer for x and y).
/// </summary>
public sealed class ElementwiseRowPathTests
{
    private static float[] Values(int count, int seed) =>
        Enumerable.Range(0, count).Select(i => (float)(new Random(seed + i).NextDouble() * 8 - 4)).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Softmax_over_contiguous_rows_matches_its_definition(int log)
    {
        const int rows = 3, length = 37;
        var x = Values(rows * length, 1);
        var y = new float[x.Length];

        Kernels.Softmax(x, y, rows, length, 1, log);

        for (var r = 0; r < rows; r++)
        {
            var row = x.Skip(r * length).Take(length).Select(v => (double)v).ToArray();
            var max = row.Max();
            var sum = row.Sum(v => Math.Exp(v - max));
            for (var j = 0; j < length; j++)
            {
                var expected = log != 0 ? row[j] - max - Math.Log(sum) : Math.Exp(row[j] - max) / sum;
                Assert.Equal(expected, y[r * length + j], 1e-5);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Reduce_over_contiguous_rows_matches_its_definition(int op)
    {
        const int rows = 4, length = 23;
        var x = Values(rows * length, 2);
        var y = new float[rows];

        Kernels.Reduce(x, y, op, rows, length, 1);

        for (var r = 0; r < rows; r++)
        {
            var row = x.Skip(r * length).Take(length).ToArray();
            var expected = op switch { 0 => row.Average(), 1 => row.Sum(), 2 => row.Max(), _ => row.Min() };
            Assert.Equal(expected, y[r], 1e-4);
        }
    }

    [Fact]
    public void Pow_by_a_broadcast_two_is_the_square()
    {
        var x = Values(45, 3);
        var y = new float[x.Length];

        Kernels.Binary(x, [2f], y, 6, 1, [x.Length], [1], [0]);

        Assert.Equal(x.Select(v => MathF.Pow(v, 2f)), y);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void A_broadcast_scalar_on_the_left_matches_the_definition(int op)
    {
        var b = Values(1037, 5).Select(v => op == 6 ? Math.Abs(v) + 0.5f : v).ToArray();
        const float scalar = 1.75f;
        var y = new float[b.Length];

        Kernels.Binary([scalar], b, y, op, 1, [b.Length], [0], [1]);

        Func<float, float> definition = op switch
        {
            0 => v => scalar + v,
            1 => v => scalar - v,
            2 => v => scalar * v,
            3 => v => scalar / v,
            4 => v => MathF.Max(scalar, v),
            5 => v => MathF.Min(scalar, v),
            _ => v => MathF.Pow(scalar, v),
        };
        for (var i = 0; i < b.Length; i++)
            Assert.Equal(definition(b[i]), y[i], 1e-6f * Math.Max(1f, Math.Abs(definition(b[i]))));
    }

    [Theory]
    [InlineData(3, 0.1f, 0f)]    // LeakyRelu, slope in [0, 1]
    [InlineData(3, 1.5f, 0f)]    // LeakyRelu, slope above 1: min(x, αx)
    [InlineData(3, -0.5f, 0f)]   // LeakyRelu, negative slope: the scalar loop
    [InlineData(4, 0.2f, 0.5f)]  // HardSigmoid
    [InlineData(5, -1f, 2f)]     // Clip
    [InlineData(5, 0f, 6f)]      // Relu6
    [InlineData(5, 2f, -1f)]     // Clip with min above max: max then min, every value the max
    public void Unary_vector_passes_match_the_scalar_definition_in_place_too(int op, float alpha, float beta)
    {
        var x = Values(1100, 4); // over two 512-float chunks
        Func<float, float> definition = op switch
        {
            3 => v => v >= 0 ? v : v * alpha,
            4 => v => MathF.Min(MathF.Max(alpha * v + beta, 0f), 1f),
            _ => v => MathF.Min(MathF.Max(v, alpha), beta),
        };
        var expected = x.Select(definition).ToArray();
        var y = new float[x.Length];

        Kernels.Unary(x, y, op, x.Length, alpha, beta);
        Kernels.Unary(x, x, op, x.Length, alpha, beta);

        Assert.Equal(expected, y);
        Assert.Equal(expected, x);
    }

    [Theory]
    [InlineData(3, 0.1f, 0f)]    // LeakyRelu as max
    [InlineData(3, 1.5f, 0f)]    // LeakyRelu as min
    [InlineData(4, 0.2f, 0.5f)]  // HardSigmoid
    [InlineData(5, -1f, 2f)]     // Clip
    public void Unary_vector_passes_keep_nan_and_infinities_as_the_definition_does(int op, float alpha, float beta)
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, 1e30f, -1e30f, 0.25f, float.NaN, 3f, -3f, 1f, -1f, 2f, 0.5f, -0.5f, float.Epsilon];
        Func<float, float> definition = op switch
        {
            3 => v => v >= 0 ? v : v * alpha,
            4 => v => MathF.Min(MathF.Max(alpha * v + beta, 0f), 1f),
            _ => v => MathF.Min(MathF.Max(v, alpha), beta),
        };
        var y = new float[x.Length];

        Kernels.Unary(x, y, op, x.Length, alpha, beta);

        Assert.Equal(x.Select(definition), y);
    }

    /// <summary>
    /// Short rows (fewer than 16 floats) with one operand laid out as the output take the chunked
    /// path, vectorized across rows: per-column vectors, per-row scalars and a broadcast over a middle
    /// axis, the dense operand on either side (Sub, Div and Pow are not symmetric), in place too.
    /// </summary>
    [Theory]
    [InlineData(new[] { 37, 3 }, new[] { 3, 1 }, new[] { 0, 1 }, 0)]               // [37, 3] + [3]
    [InlineData(new[] { 301, 2 }, new[] { 2, 1 }, new[] { 1, 0 }, 3)]              // [301, 2] / [301, 1]: over a chunk
    [InlineData(new[] { 5, 7, 3 }, new[] { 21, 3, 1 }, new[] { 0, 1, 0 }, 1)]      // [5, 7, 3] − [7, 1]
    [InlineData(new[] { 2, 3, 4, 5, 6, 7 }, new[] { 2520, 840, 210, 42, 7, 1 }, new[] { 7, 0, 0, 0, 1, 0 }, 2)]
    [InlineData(new[] { 700, 1 }, new[] { 1, 1 }, new[] { 0, 0 }, 5)]              // rows of one
    [InlineData(new[] { 64, 5 }, new[] { 5, 1 }, new[] { 1, 0 }, 6)]               // Pow: the scalar loop per chunk
    public void Short_rows_match_the_broadcast_definition_on_either_side_and_in_place(int[] dims, int[] denseStrides, int[] otherStrides, int op)
    {
        var count = dims.Aggregate(1, (p, v) => p * v);
        var dense = Values(count, 6).Select(v => op == 6 ? Math.Abs(v) + 0.5f : v).ToArray();
        var other = Values(count, 7).Select(v => op is 3 or 6 ? Math.Abs(v) + 0.5f : v).ToArray();

        foreach (var denseOnLeft in new[] { true, false })
        {
            var expected = new float[count];
            for (var o = 0; o < count; o++)
            {
                var (rest, at) = (o, 0);
                for (var k = dims.Length - 1; k >= 0; k--)
                {
                    at += rest % dims[k] * otherStrides[k];
                    rest /= dims[k];
                }

                var (a, b) = denseOnLeft ? (dense[o], other[at]) : (other[at], dense[o]);
                expected[o] = op switch { 0 => a + b, 1 => a - b, 2 => a * b, 3 => a / b, 4 => MathF.Max(a, b), 5 => MathF.Min(a, b), _ => MathF.Pow(a, b) };
            }

            var y = new float[count];
            var inPlace = (float[])dense.Clone();
            if (denseOnLeft)
            {
                Kernels.Binary(dense, other, y, op, dims.Length, dims, denseStrides, otherStrides);
                Kernels.Binary(inPlace, other, inPlace, op, dims.Length, dims, denseStrides, otherStrides);
            }
            else
            {
                Kernels.Binary(other, dense, y, op, dims.Length, dims, otherStrides, denseStrides);
                Kernels.Binary(other, inPlace, inPlace, op, dims.Length, dims, otherStrides, denseStrides);
            }

            Assert.Equal(expected, y);
            Assert.Equal(expected, inPlace);
        }
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using static Optimizer.Passes.Tests.Pruning.PruningGraphs;

namespace Optimizer.Passes.Tests.Pruning;

public sealed class NmSparsityPruningTests
{
    [Fact]
    public void Gemm_keeps_the_two_largest_of_every_four_along_k()
    {
        // Gemm with transB=1: B is [N=2, K=8], so groups run along each row.
        var model = GraphBuilder.Gemm(8, 2, 1f, 1f);
        var b = new float[] { 1, -4, 3, 2, /**/ 0.5f, 0.5f, 0.5f, 0.5f, /**/ -9, 8, 7, 0, /**/ 1, 2, -3, 4 };
        model.Graph.Initializers[0] = OnnxTensor.FromFloats("B", [2, 8], b);

        var result = RunPrune(model, ("Structure", "NM2x4"));

        Assert.Equal([0, -4, 3, 0, /**/ 0.5f, 0.5f, 0, 0, /**/ -9, 8, 0, 0, /**/ 0, 0, -3, 4], Weights(result.Model, "B"));
    }

    [Fact]
    public void MatMul_groups_run_down_the_columns()
    {
        // MatMul's W1 is [K=4, N=4]: each column's group is its 4 rows.
        float[] w1 =
        [
            1, 10, 2, 20,
            3, 30, 4, 40,
            5, 5, 5, 5,
            5, 5, 5, 5,
        ];
        var result = RunPrune(MatMulPair(w1, GraphBuilder.Values(8, 3)), ("Structure", "NM2x4"), ("Exclude", "mm2"));

        float[] expected =
        [
            0, 10, 0, 20,
            0, 30, 0, 40,
            5, 0, 5, 0,
            5, 0, 5, 0,
        ];
        Assert.Equal(expected, Weights(result.Model, "W1"));
    }

    [Fact]
    public void Conv_groups_run_along_input_channels_and_short_reductions_are_skipped()
    {
        var model = Cnn();
        model.Graph.Initializers[model.Graph.Initializers.FindIndex(t => t.Name == "w2")] = ConvWeight("w2", 4, 4, 99);
        var result = RunPrune(model, ("Structure", "NM2x4"));

        AssertTwoOfFour(Weights(result.Model, "w2"), Dims(result.Model, "w2"), axis: 1, original: Weights(model, "w2"));
        AssertTwoOfFour(Weights(result.Model, "fc_w"), Dims(result.Model, "fc_w"), axis: 1, original: Weights(model, "fc_w"));
        Assert.Equal(Weights(model, "w1"), Weights(result.Model, "w1"));
        Assert.Contains(result.Report.Skipped, s => s.Node == "conv1" && s.Reason.Contains("not a multiple of 4"));
    }

    [Fact]
    public void Other_sparsity_values_are_noted_as_ignored()
    {
        var result = RunPrune(GraphBuilder.MatMul(8, 4), ("Structure", "NM2x4"), ("Sparsity", "0.7"));
        Assert.Contains("ignored", result.Report.Summary);
        Assert.Equal(16, Weights(result.Model, "W").Count(w => w == 0));
    }

    /// <summary>Every group of 4 along <paramref name="axis"/> has exactly the 2 largest original magnitudes left.</summary>
    internal static void AssertTwoOfFour(float[] pruned, IReadOnlyList<long> dims, int axis, float[] original)
    {
        var outer = dims.Take(axis).Aggregate(1L, (a, d) => a * d);
        var length = dims[axis];
        var inner = dims.Skip(axis + 1).Aggregate(1L, (a, d) => a * d);
        var groups = 0;
        for (long o = 0; o < outer; o++)
        {
            for (long i = 0; i < inner; i++)
            {
                for (long start = 0; start < length; start += 4)
                {
                    var positions = Enumerable.Range(0, 4).Select(g => ((o * length) + start + g) * inner + i).ToArray();
                    Assert.True(positions.Count(p => pruned[p] == 0) >= 2, $"group at {positions[0]} keeps more than 2 weights");
                    var smallestKept = positions.Where(p => pruned[p] != 0).Select(p => Math.Abs(original[p])).DefaultIfEmpty(0).Min();
                    var largestZeroed = positions.Where(p => pruned[p] == 0).Select(p => Math.Abs(original[p])).Max();
                    Assert.True(smallestKept >= largestZeroed, $"group at {positions[0]} zeroed a larger weight than it kept");
                    Assert.All(positions.Where(p => pruned[p] != 0), p => Assert.Equal(original[p], pruned[p]));
                    groups++;
                }
            }
        }

        Assert.Equal(pruned.Length / 4, groups);
    }
}

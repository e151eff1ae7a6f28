using Optimizer.Onnx;
using Optimizer.Passes.Pruning;
using Optimizer.Passes.Tests.Support;
using static Optimizer.Passes.Tests.Pruning.PruningGraphs;

namespace Optimizer.Passes.Tests.Pruning;

public sealed class MagnitudePruningTests
{
    private static readonly float[] Small = [0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f, 0.7f, -0.8f, 0.9f, -1.0f, 1.1f, -1.2f, 1.3f, -1.4f, 1.5f, -1.6f];
    private static readonly float[] Large = [10f, -20f, 30f, -40f, 50f, -60f, 70f, -80f];

    [Fact]
    public void Per_layer_zeroes_the_smallest_half_of_each_layer()
    {
        var result = RunPrune(MatMulPair(Small, Large), ("Sparsity", "0.5"), ("Scope", "Layer"));

        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0.9f, -1.0f, 1.1f, -1.2f, 1.3f, -1.4f, 1.5f, -1.6f], Weights(result.Model, "W1"));
        Assert.Equal([0, 0, 0, 0, 50f, -60f, 70f, -80f], Weights(result.Model, "W2"));
    }

    [Fact]
    public void Global_magnitude_ranking_uses_one_raw_threshold_across_layers()
    {
        // 24 weights, 12 go: the 12 smallest are all in W1, so W2 keeps every weight.
        var result = RunPrune(MatMulPair(Small, Large), ("Sparsity", "0.5"), ("Scope", "Global"), ("Ranking", "Magnitude"));

        Assert.Equal(12, Weights(result.Model, "W1").Count(w => w == 0));
        Assert.Equal([1.3f, -1.4f, 1.5f, -1.6f], Weights(result.Model, "W1")[12..]);
        Assert.Equal(Large, Weights(result.Model, "W2"));
        Assert.Contains("zeros 0 → 12, sparsity 50%", result.Report.Summary);
    }

    [Fact]
    public void Global_lamp_ranking_does_not_depend_on_a_layer_s_scale()
    {
        var scaled = Small.Select(w => w * 1000).ToArray();
        var plain = RunPrune(MatMulPair(Small, Large), ("Sparsity", "0.5"), ("Scope", "Global"));
        var rescaled = RunPrune(MatMulPair(scaled, Large), ("Sparsity", "0.5"), ("Scope", "Global"));

        Assert.Equal(Weights(plain.Model, "W1").Select(w => w == 0), Weights(rescaled.Model, "W1").Select(w => w == 0));
        Assert.Equal(Weights(plain.Model, "W2"), Weights(rescaled.Model, "W2"));
        Assert.Equal(12, Weights(plain.Model, "W1").Count(w => w == 0) + Weights(plain.Model, "W2").Count(w => w == 0));
        // Each layer still loses its smallest weights first.
        Assert.True(Weights(plain.Model, "W2").Count(w => w == 0) > 0);
        Assert.Equal(0f, Weights(plain.Model, "W1")[0]);
        Assert.StartsWith("Unstructured global (Lamp ranking) L1 50%", plain.Report.Summary);
    }

    [Fact]
    public void Lamp_score_is_the_square_over_the_sum_of_squares_at_least_as_large()
    {
        Assert.Equal([1.0 / 14, 4.0 / 13, 1.0], LampScores.Of([1f, -2f, 3f]));
    }

    [Fact]
    public void Ties_go_to_the_earlier_layer_then_the_lower_index()
    {
        var ones = Enumerable.Repeat(1f, 16).ToArray();
        var result = RunPrune(MatMulPair(ones, Enumerable.Repeat(-1f, 8).ToArray()), ("Sparsity", "0.25"), ("Scope", "Global"), ("Ranking", "Magnitude"));

        // 24 × 0.25 = 6 zeros, all equal magnitudes: the first six of W1.
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], Weights(result.Model, "W1"));
        Assert.All(Weights(result.Model, "W2"), w => Assert.Equal(-1f, w));
    }

    [Fact]
    public void Biases_are_never_pruned_and_shapes_do_not_change()
    {
        var model = GraphBuilder.Gemm(8, 4, 1f, 1f);
        var result = RunPrune(model, ("Sparsity", "0.75"));

        Assert.Equal(Weights(model, "C"), Weights(result.Model, "C"));
        Assert.Equal(24, Weights(result.Model, "B").Count(w => w == 0));
        Assert.Equal([4L, 8L], Dims(result.Model, "B"));
    }

    [Fact]
    public void Conv_weights_are_pruned_and_existing_zeros_count()
    {
        var result = RunPrune(Cnn(), ("Sparsity", "0.5"), ("Scope", "Layer"));

        // Conv1 has 72 weights, 36 already zero (two of four filters): nothing more to take.
        var change = result.Report.Changed.Single(c => c.Node == "conv1");
        Assert.Contains("72 params, zeros 36 → 36, sparsity 50%", change.Detail);
        Assert.Equal(54, Weights(result.Model, "fc_w").Count(w => w == 0));
    }

    [Fact]
    public void Excluded_layers_are_untouched_and_reported()
    {
        var model = MatMulPair(Small, Large);
        var result = RunPrune(model, ("Sparsity", "0.5"), ("Exclude", "W2; nothing_here"));

        Assert.Equal(Large, Weights(result.Model, "W2"));
        Assert.Equal(8, Weights(result.Model, "W1").Count(w => w == 0));
        var skipped = result.Report.Skipped;
        Assert.Contains(skipped, s => s.Node == "mm2" && s.Reason.Contains("excluded by Exclude entry 'W2'"));
        Assert.Contains(skipped, s => s.Node == "nothing_here" && s.Reason.Contains("matches no"));
    }

    [Fact]
    public void Exclude_entries_may_use_wildcards()
    {
        var result = RunPrune(MatMulPair(Small, Large), ("Exclude", "mm*"));

        Assert.Empty(result.Report.Changed);
        Assert.Equal(2, result.Report.Skipped.Count(s => s.Reason.Contains("'mm*'")));
    }

    [Fact]
    public void Excluding_an_op_type_keeps_every_layer_of_it()
    {
        var result = RunPrune(Cnn(), ("Sparsity", "0.5"), ("Exclude", "OpType:conv"));

        Assert.Equal(Weights(Cnn(), "w2"), Weights(result.Model, "w2"));
        Assert.Equal(["fc"], result.Report.Changed.Select(c => c.Node));
        Assert.Equal(2, result.Report.Skipped.Count(s => s.Reason.Contains("OpType:conv")));
    }

    [Fact]
    public void A_weight_that_is_a_graph_input_is_skipped_with_the_reason()
    {
        var model = GraphBuilder.MatMul(4, 4);
        model.Graph.DeclaredInputs.Add(GraphBuilder.Tensor("W", Dim.Fixed(4), Dim.Fixed(4)));
        var result = RunPrune(model);

        Assert.Empty(result.Report.Changed);
        Assert.Contains("not a constant initializer", result.Report.Skipped.Single().Reason);
    }

    [Fact]
    public void Pruned_model_still_runs_in_onnx_runtime()
    {
        var result = RunPrune(Cnn(), ("Sparsity", "0.5"), ("Scope", "Global"));
        var y = Ort.Run(result.Model, ("x", GraphBuilder.Values(2 * 72, 5), [2, 2, 6, 6]));
        Assert.Equal(6, y.Length);
    }
}

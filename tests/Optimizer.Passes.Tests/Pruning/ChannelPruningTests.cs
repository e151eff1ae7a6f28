using Optimizer.Onnx;
using Optimizer.Passes.Pruning;
using Optimizer.Passes.Tests.Support;
using static Optimizer.Passes.Tests.Pruning.PruningGraphs;

namespace Optimizer.Passes.Tests.Pruning;

public sealed class ChannelPruningTests
{
    private static readonly (string, string)[] HalfChannels = [("Sparsity", "0.5"), ("Structure", "Channel"), ("Scope", "Layer")];

    [Fact]
    public void Removes_the_zero_filters_and_rewrites_batchnorm_the_next_conv_and_the_flattened_gemm()
    {
        var model = Cnn();
        var result = RunPrune(model, HalfChannels);
        var pruned = result.Model;

        Assert.Equal([2L, 2, 3, 3], Dims(pruned, "w1"));
        Assert.Equal([2L], Dims(pruned, "b1"));
        Assert.Equal([1.5f, 2f], Weights(pruned, "bn_scale"));
        Assert.Equal([0.05f, 0.1f], Weights(pruned, "bn_mean"));
        Assert.Equal([2L, 2, 3, 3], Dims(pruned, "w2"));
        Assert.Equal([3L, 18], Dims(pruned, "fc_w"));
        // Conv2 kept filters 1 and 3, so the Gemm keeps feature blocks 9..17 and 27..35 of each row.
        var original = Weights(model, "fc_w");
        var expected = Enumerable.Range(0, 3).SelectMany(row => original.Skip(row * 36 + 9).Take(9).Concat(original.Skip(row * 36 + 27).Take(9)));
        Assert.Equal(expected, Weights(pruned, "fc_w"));
        Assert.Equal(Dim.Fixed(2), pruned.Graph.ValueInfos.Single(v => v.Name == "c1").Type!.Shape![1]);
    }

    [Fact]
    public void Removing_zero_filters_keeps_the_outputs_equal_in_onnx_runtime()
    {
        var model = Cnn();
        var result = RunPrune(model, HalfChannels);
        var x = GraphBuilder.Values(3 * 72, 7);

        var before = Ort.Run(model, ("x", x, [3, 2, 6, 6]));
        var after = Ort.Run(result.Model, ("x", x, [3, 2, 6, 6]));

        Assert.Equal(before.Length, after.Length);
        Assert.All(before.Zip(after), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [Fact]
    public void Reports_channels_params_and_flops()
    {
        var report = RunPrune(Cnn(), HalfChannels).Report;

        // FLOPs per sample, 2·outputs·reduction: conv1 2·144·18 → 2·72·18, conv2 2·36·36 → 2·18·18, fc 2·3·36 → 2·3·18.
        Assert.StartsWith("Channel L1 50%: 2 of 3 layers pruned, params 351 → 141 (-59.8%), FLOPs 7992 → 3348 (-58.1%)", report.Summary);
        Assert.Contains(report.Changed, c => c.Node == "conv1" && c.Detail.StartsWith("2 of 4 output channels kept (L1 norm); params 76 → 38"));
        Assert.Contains(report.Changed, c => c.Node == "fc" && c.Detail.StartsWith("input channels reduced; params 111 → 57, FLOPs 216 → 108"));
        Assert.Contains(report.Skipped, s => s.Node == "fc" && s.Reason.Contains("graph output"));
    }

    [Fact]
    public void L2_norm_can_choose_differently_from_l1()
    {
        // Filter 0: one large weight (L1 4, L2 4); filter 1: nine small ones (L1 4.5, L2 1.5).
        float[] weights = [4, 0, 0, 0, 0, 0, 0, 0, 0, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f];

        Assert.Equal([1], FilterRanking.Keep(weights, [2, 9], 0, PruneNorm.L1, 1));
        Assert.Equal([0], FilterRanking.Keep(weights, [2, 9], 0, PruneNorm.L2, 1));
    }

    [Fact]
    public void Concat_branches_shift_the_channel_indices()
    {
        var model = ConcatBranches();
        var result = RunPrune(model, HalfChannels);

        // Concat order [a0 a1 b0 b1 b2 b3]; a1, b0 and b3 go, so ConvC keeps input channels 0, 3, 4.
        Assert.Equal([3L, 3, 3, 3], Dims(result.Model, "wc"));
        var original = Weights(model, "wc");
        var expected = Enumerable.Range(0, 3).SelectMany(m => new[] { 0, 3, 4 }.SelectMany(c => original.Skip((m * 6 + c) * 9).Take(9)));
        Assert.Equal(expected, Weights(result.Model, "wc"));

        var x = GraphBuilder.Values(2 * 32, 9);
        var before = Ort.Run(model, ("x", x, [2, 2, 4, 4]));
        var after = Ort.Run(result.Model, ("x", x, [2, 2, 4, 4]));
        Assert.All(before.Zip(after), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [Fact]
    public void Residual_add_groups_are_skipped_with_the_reason()
    {
        var model = Residual();
        var result = RunPrune(model, HalfChannels);

        var skipped = result.Report.Skipped;
        Assert.Contains(skipped, s => s.Node == "conv1" && s.Reason.Contains("jointly"));
        Assert.Contains(skipped, s => s.Node == "conv2" && s.Reason.Contains("jointly"));
        Assert.Empty(result.Report.Changed);
        Assert.Equal(Weights(model, "w1"), Weights(result.Model, "w1"));
    }

    [Fact]
    public void Depthwise_consumers_are_skipped_with_the_reason()
    {
        var result = RunPrune(DepthwiseAfterConv(), HalfChannels);

        var skipped = result.Report.Skipped;
        Assert.Contains(skipped, s => s.Node == "conv1" && s.Reason.Contains("depthwise"));
        Assert.Contains(skipped, s => s.Node == "dw" && s.Reason.Contains("group=4"));
    }

    [Fact]
    public void MatMul_units_are_removed_and_the_next_matmul_loses_its_rows()
    {
        var w1 = new float[] { 1, 0, 2, 0, /**/ 3, 0, 4, 0, /**/ 5, 0, 6, 0, /**/ 7, 0, 8, 0 };
        var w2 = GraphBuilder.Values(8, 4);
        var model = MatMulPair(w1, w2);
        var result = RunPrune(model, HalfChannels);

        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8], Weights(result.Model, "W1"));
        Assert.Equal([4L, 2], Dims(result.Model, "W1"));
        Assert.Equal(w2[0..2].Concat(w2[4..6]), Weights(result.Model, "W2"));
        Assert.Contains(result.Report.Skipped, s => s.Node == "mm2" && s.Reason.Contains("graph output"));

        var x = GraphBuilder.Values(8, 5);
        var before = Ort.Run(model, ("x", x, [2, 4]));
        var after = Ort.Run(result.Model, ("x", x, [2, 4]));
        Assert.All(before.Zip(after), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [Fact]
    public void Excluded_layers_keep_their_channels_but_follow_their_inputs()
    {
        var result = RunPrune(Cnn(), ("Structure", "Channel"), ("Exclude", "conv2"));

        Assert.Equal([4L, 2, 3, 3], Dims(result.Model, "w2"));
        Assert.Contains(result.Report.Skipped, s => s.Node == "conv2" && s.Reason.Contains("excluded"));
    }

    [Fact]
    public void Every_layer_keeps_at_least_one_channel()
    {
        var result = RunPrune(ConcatBranches(), ("Sparsity", "0.99"), ("Structure", "Channel"));

        Assert.Equal([1L, 2, 3, 3], Dims(result.Model, "wa"));
        Assert.Equal([1L, 2, 3, 3], Dims(result.Model, "wb"));
        Assert.Equal([3L, 2, 3, 3], Dims(result.Model, "wc"));
    }

    [Fact]
    public void A_shared_next_layer_weight_is_copied_not_changed_for_its_other_reader()
    {
        var model = Cnn();
        // A second reader of w2 outside the pruned path: it must keep all 4 input channels.
        model.Graph.DeclaredInputs.Add(GraphBuilder.Tensor("z", Dim.Named("batch"), Dim.Fixed(4), Dim.Fixed(3), Dim.Fixed(3)));
        model.Graph.Nodes.Add(Conv("side", "z", "w2", null, "side_out"));
        model.Graph.Outputs.Add(GraphBuilder.Tensor("side_out", Dim.Named("batch"), Dim.Fixed(4), Dim.Fixed(3), Dim.Fixed(3)));

        var result = RunPrune(model, ("Structure", "Channel"), ("Exclude", "conv2"));

        var conv2 = result.Model.Graph.Nodes.Single(n => n.Name == "conv2");
        Assert.NotEqual("w2", conv2.Inputs[1]);
        Assert.Equal([4L, 2, 3, 3], Dims(result.Model, conv2.Inputs[1]));
        Assert.Equal([4L, 4, 3, 3], Dims(result.Model, "w2"));
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Cleanup;
using Optimizer.Passes.Fusion;
using Optimizer.Passes.Tests.Support;
using static Optimizer.Passes.Tests.Cleanup.TinyGraphs;

namespace Optimizer.Passes.Tests.Fusion;

/// <summary>
/// Constant Mul / Add / Sub / Div after a Conv folded into its weight and bias by the Fuse pass: each
/// operator, constant on either side, scalar or per channel, chains, a Conv without bias, a shared
/// weight; and each case that must stay (a value read elsewhere or a graph output, a non-constant or
/// integer operand, a constant along the batch or a spatial axis, one that would grow the output,
/// c / x, x / 0). Every model is run in ONNX Runtime before and after (rtol 1e-4, atol 1e-5).
/// </summary>
public sealed class ConvAffineFoldingTests
{
    private const int Channels = 4;

    /// <summary>x [1,3,5,6] → Conv(4 filters 3×3, pad 1) → c; the caller adds the chain and the output y.</summary>
    private static OnnxGraph ConvGraph(bool withBias = true, long width = 6)
    {
        var graph = Graph("x", [1, 3, 5, width], "y");
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [Channels, 3, 3, 3], GraphBuilder.Values(Channels * 27, 11)));
        if (withBias) graph.Initializers.Add(OnnxTensor.FromFloats("b", [Channels], [0.1f, -0.2f, 0.3f, 0.05f]));
        graph.Nodes.Add(Node("Conv", withBias ? ["x", "w", "b"] : ["x", "w"], ["c"], OnnxAttribute.FromInts("pads", [1, 1, 1, 1])));
        return graph;
    }

    /// <summary>A constant: <paramref name="dims"/> filled with values in [0.25, 2) of alternating sign (never 0).</summary>
    private static string Constant(OnnxGraph graph, string name, long[] dims, int seed = 3)
    {
        var count = (int)dims.Aggregate(1L, (a, d) => a * d);
        var values = GraphBuilder.Values(count, seed).Select((v, i) => (i % 2 == 0 ? 1 : -1) * (0.25f + 1.75f * Math.Abs(v))).ToArray();
        graph.Initializers.Add(OnnxTensor.FromFloats(name, dims, values));
        return name;
    }

    /// <summary>op(x, k) or op(k, x): the operand order as written.</summary>
    private static string[] Operands(string x, string k, bool constantOnLeft) => constantOnLeft ? [k, x] : [x, k];

    [Theory]
    [InlineData("Mul", false, new long[0])]
    [InlineData("Mul", true, new long[] { 1 })]
    [InlineData("Mul", true, new long[] { 1, Channels, 1, 1 })]
    [InlineData("Add", true, new long[0])]
    [InlineData("Add", false, new long[] { Channels, 1, 1 })]
    [InlineData("Sub", false, new long[] { 1, 1, 1, 1 })]
    [InlineData("Sub", false, new long[] { Channels, 1, 1 })]
    [InlineData("Sub", true, new long[0])] // c − x: x · (−1) + c
    [InlineData("Sub", true, new long[] { 1, Channels, 1, 1 })]
    [InlineData("Div", false, new long[0])] // x / c as x · (1/c): differs from ORT's division by rounding only
    [InlineData("Div", false, new long[] { Channels, 1, 1 })]
    public void A_constant_after_the_conv_folds_into_its_weight_and_bias(string op, bool constantOnLeft, long[] dims)
    {
        var graph = ConvGraph();
        graph.Nodes.Add(Node(op, Operands("c", Constant(graph, "k", dims), constantOnLeft), ["a"]));
        graph.Nodes.Add(Node("Relu", ["a"], ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Conv", "Relu"], Ops(result.Model));
        var conv = result.Model.Graph.Nodes[0];
        Assert.Equal(["x", "w", "b"], conv.Inputs);
        Assert.Equal(["a"], conv.Outputs);
        // The originals are replaced, not kept beside the folded ones; the constant is gone.
        Assert.Equal(["b", "w"], result.Model.Graph.Initializers.Select(t => t.Name).Order());
        var scales = op is "Mul" or "Div" || op == "Sub" && constantOnLeft;
        Assert.Equal(!scales, ConvGraph().FindInitializer("w")!.ToFloatArray().SequenceEqual(result.Model.Graph.FindInitializer("w")!.ToFloatArray()));
        var report = Report(result, "Fuse");
        Assert.Contains("1 constant Mul/Add/Sub/Div folded into Convs", report.Summary);
        var change = Assert.Single(report.Changed);
        Assert.Contains($"{op} by {(dims.Aggregate(1L, (a, d) => a * d) == 1 ? "scalar" : "per-channel")} k folded into c_node", change.Detail);
    }

    [Fact]
    public void A_paddle_chain_folds_whole_and_a_conv_without_bias_gets_one()
    {
        // PP-LCNet's learnable affine (constants on the left), then more links of each kind.
        var graph = ConvGraph(withBias: false);
        graph.Nodes.Add(Node("Mul", [Constant(graph, "scale", [1]), "c"], ["m"]));
        graph.Nodes.Add(Node("Add", [Constant(graph, "shift", [1], seed: 4), "m"], ["a"]));
        graph.Nodes.Add(Node("Mul", ["a", Constant(graph, "gamma", [1, Channels, 1, 1], seed: 5)], ["g"]));
        graph.Nodes.Add(Node("Sub", ["g", Constant(graph, "mu", [Channels, 1, 1], seed: 6)], ["s"]));
        graph.Nodes.Add(Node("Div", ["s", Constant(graph, "three", [], seed: 7)], ["d"]));
        graph.Nodes.Add(Node("Relu", ["d"], ["y"]));
        graph.ValueInfos.Add(new ValueInfo("m", ValueTypeInfo.Tensor(TensorElementType.Float, null)));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Conv", "Relu"], Ops(result.Model));
        var conv = result.Model.Graph.Nodes[0];
        Assert.Equal(["d"], conv.Outputs);
        var bias = result.Model.Graph.FindInitializer(conv.Inputs[2])!;
        Assert.Equal([Channels], bias.Dims);
        Assert.Equal(new[] { "w", bias.Name }.Order(), result.Model.Graph.Initializers.Select(t => t.Name).Order());
        Assert.DoesNotContain(result.Model.Graph.ValueInfos, v => v.Name == "m");
        Assert.Equal(5, Report(result, "Fuse").Changed.Count);
    }

    [Fact]
    public void Batchnorm_then_a_scale_fold_into_the_conv_together()
    {
        var graph = ConvGraph();
        graph.Initializers.Add(OnnxTensor.FromFloats("gamma", [Channels], [1.5f, 0.5f, -2f, 1f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("beta", [Channels], [0.1f, 0f, -0.2f, 0.3f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("mean", [Channels], [0.05f, -0.3f, 0.1f, 0f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("var", [Channels], [1.2f, 0.01f, 0.7f, 2f]));
        graph.Nodes.Add(Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["n"]));
        graph.Nodes.Add(Node("Mul", ["n", Constant(graph, "k", [1, Channels, 1, 1])], ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Conv"], Ops(result.Model));
        Assert.Equal(["y"], result.Model.Graph.Nodes[0].Outputs);
    }

    [Fact]
    public void A_weight_shared_with_another_conv_is_copied_not_changed()
    {
        var graph = ConvGraph();
        graph.Nodes.Add(Node("Mul", ["c", Constant(graph, "k", [])], ["y"]));
        graph.Nodes.Add(Node("Conv", ["x", "w"], ["other"], OnnxAttribute.FromInts("pads", [1, 1, 1, 1])));
        graph.Outputs.Add(new ValueInfo("other", ValueTypeInfo.Tensor(TensorElementType.Float, null)));

        var result = RunAndCompare(Model(graph));

        var convs = result.Model.Graph.Nodes.Where(n => n.OpType == "Conv").ToArray();
        Assert.Equal("w_affine_folded", convs[0].Inputs[1]);
        Assert.Equal("w", convs[1].Inputs[1]);
        Assert.Equal(ConvGraph().FindInitializer("w")!.ToFloatArray(), result.Model.Graph.FindInitializer("w")!.ToFloatArray());
    }

    [Fact]
    public void A_shared_weight_is_not_copied_when_the_chain_only_shifts()
    {
        var graph = ConvGraph();
        graph.Nodes.Add(Node("Sub", ["c", Constant(graph, "t", [Channels, 1, 1])], ["y"]));
        graph.Nodes.Add(Node("Conv", ["x", "w"], ["other"], OnnxAttribute.FromInts("pads", [1, 1, 1, 1])));
        graph.Outputs.Add(new ValueInfo("other", ValueTypeInfo.Tensor(TensorElementType.Float, null)));

        var result = RunAndCompare(Model(graph));

        Assert.All(result.Model.Graph.Nodes, n => Assert.Equal("w", n.Inputs[1]));
        Assert.Equal(["b", "w"], result.Model.Graph.Initializers.Select(t => t.Name).Order());
    }

    [Fact]
    public void A_value_read_by_another_node_stops_the_chain_there()
    {
        // c → Mul → m, and m is read by the Add and by a second output's Relu: the Mul folds, the Add stays.
        var graph = ConvGraph();
        graph.Nodes.Add(Node("Mul", ["c", Constant(graph, "k", [])], ["m"]));
        graph.Nodes.Add(Node("Add", ["m", Constant(graph, "t", [])], ["y"]));
        graph.Nodes.Add(Node("Relu", ["m"], ["r"]));
        graph.Outputs.Add(new ValueInfo("r", ValueTypeInfo.Tensor(TensorElementType.Float, null)));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Conv", "Add", "Relu"], Ops(result.Model));
        Assert.Equal(["m"], result.Model.Graph.Nodes[0].Outputs);
        Assert.Empty(Report(result, "Fuse").Skipped); // a branch, not a chain: nothing to report
    }

    [Fact]
    public void A_conv_output_that_is_a_graph_output_is_not_folded_and_is_reported()
    {
        var graph = ConvGraph();
        graph.Nodes.Add(Node("Mul", ["c", Constant(graph, "k", [])], ["y"]));
        graph.Outputs.Add(new ValueInfo("c", ValueTypeInfo.Tensor(TensorElementType.Float, null)));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Conv", "Mul"], Ops(result.Model));
        Assert.Contains(Report(result, "Fuse").Skipped, s => s.Reason == "Mul not folded into c_node: c is also a graph output");
    }

    [Fact]
    public void An_operand_that_can_be_overridden_is_not_folded()
    {
        var graph = ConvGraph();
        graph.Nodes.Add(Node("Mul", ["c", Constant(graph, "k", [])], ["y"]));
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("k"));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Conv", "Mul"], Ops(result.Model));
        Assert.Contains(Report(result, "Fuse").Skipped, s => s.Reason.EndsWith("k is not a constant float32 initializer", StringComparison.Ordinal));
    }

    [Fact]
    public void An_operand_computed_at_run_time_is_not_folded()
    {
        // y = c · mean(x): computed from the input, not a constant.
        var graph = ConvGraph();
        graph.Nodes.Add(Node("GlobalAveragePool", ["x"], ["p"]));
        graph.Nodes.Add(Node("ReduceMean", ["p"], ["q"], OnnxAttribute.FromInts("axes", [1])));
        graph.Nodes.Add(Node("Mul", ["q", "c"], ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Contains("Mul", Ops(result.Model));
        Assert.Contains(Report(result, "Fuse").Skipped, s => s.Reason.EndsWith("q is not a constant float32 initializer", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new long[] { 1, 1, 1, 6 }, "varies along the output's spatial axis 3")]
    [InlineData(new long[] { 5, 1 }, "varies along the output's spatial axis 2")]
    [InlineData(new long[] { 2, Channels, 1, 1 }, "varies along the output's batch axis 0")] // grows the output to batch 2
    [InlineData(new long[] { 1, 1, Channels, 1, 1 }, "has more axes than the Conv output's 4")] // grows it to 5-D
    public void A_constant_that_is_not_one_value_per_channel_is_not_folded(long[] dims, string reason)
    {
        var graph = ConvGraph();
        graph.Nodes.Add(Node("Mul", ["c", Constant(graph, "k", dims)], ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Conv", "Mul"], Ops(result.Model));
        Assert.Contains(Report(result, "Fuse").Skipped, s => s.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_constant_of_c_values_runs_along_the_last_axis_not_the_channels_and_is_not_folded()
    {
        // [4] right-aligns with the output's width (4 here), so it scales columns, not channels.
        var graph = ConvGraph(width: Channels);
        graph.Nodes.Add(Node("Add", ["c", Constant(graph, "k", [Channels])], ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Conv", "Add"], Ops(result.Model));
        Assert.Contains(Report(result, "Fuse").Skipped, s => s.Reason.Contains("spatial axis 3", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, 2f, "divides a constant by the Conv output")]
    [InlineData(false, 0f, "divides by zero")]
    public void A_division_that_is_not_x_times_a_finite_scale_is_not_folded(bool constantOnLeft, float divisor, string reason)
    {
        var graph = ConvGraph();
        graph.Initializers.Add(OnnxTensor.FromFloats("k", [], [divisor]));
        graph.Nodes.Add(Node("Div", Operands("c", "k", constantOnLeft), ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Conv", "Div"], Ops(result.Model));
        Assert.Contains(Report(result, "Fuse").Skipped, s => s.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_non_finite_constant_is_not_folded()
    {
        var graph = ConvGraph();
        graph.Initializers.Add(OnnxTensor.FromFloats("k", [Channels, 1, 1], [1f, float.PositiveInfinity, 2f, 3f]));
        graph.Nodes.Add(Node("Mul", ["c", "k"], ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Conv", "Mul"], Ops(result.Model));
        Assert.Contains(Report(result, "Fuse").Skipped, s => s.Reason.Contains("non-finite", StringComparison.Ordinal));
    }

    [Fact]
    public void A_legacy_broadcast_below_opset_7_is_not_folded()
    {
        // Opset 6's Mul(c, k [4], broadcast=1, axis=1) is per channel by its axis, not right-aligned; ONNX Runtime has no Mul-6 kernel to compare with.
        var graph = ConvGraph();
        graph.Nodes.Add(Node("Mul", ["c", Constant(graph, "k", [Channels])], ["y"], OnnxAttribute.FromInt("broadcast", 1), OnnxAttribute.FromInt("axis", 1)));
        var (changed, skipped) = (new List<PassChange>(), new List<PassSkip>());

        ConvAffineFolding.Run(Model(graph, opset: 6), new UniqueNames(graph), changed, skipped);

        Assert.Empty(changed);
        Assert.Contains(skipped, s => s.Reason.Contains("opset is below 7", StringComparison.Ordinal));
    }

    [Fact]
    public void An_integer_constant_is_not_folded()
    {
        // Not a valid model (Mul's operands must share a type), so the fold is run on its own, without ONNX Runtime.
        var graph = ConvGraph();
        graph.Initializers.Add(OnnxTensor.FromInt64s("k", [], [2]));
        graph.Nodes.Add(Node("Mul", ["c", "k"], ["y"]));
        var (changed, skipped) = (new List<PassChange>(), new List<PassSkip>());

        ConvAffineFolding.Run(Model(graph), new UniqueNames(graph), changed, skipped);

        Assert.Empty(changed);
        Assert.Equal(["Conv", "Mul"], graph.Nodes.Select(n => n.OpType));
        Assert.Contains(skipped, s => s.Reason.EndsWith("k is not a constant float32 initializer", StringComparison.Ordinal));
    }
}

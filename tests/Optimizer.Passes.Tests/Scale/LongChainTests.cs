using System.Diagnostics;
using Optimizer.Onnx;

namespace Optimizer.Passes.Tests.Scale;

/// <summary>
/// 100k-node chains through the whole pipeline in process. Linear passes take seconds here; a
/// quadratic step (a rescan of the graph per node) takes many minutes, so the generous time
/// guard cannot flake on a loaded machine yet catches the blow-up. The speed target itself is
/// measured through the CLI (tests/Optimizer.Passes.Tests/Scale/README.md).
/// </summary>
public sealed class LongChainTests
{
    private const int Length = 100_000;

    /// <summary>Many times what the linear pipeline needs on a busy 2-core machine; far below a quadratic one.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(150);

    private static readonly PassRequest DynamicInt8 = new("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" });

    [Fact]
    public void A_100k_node_mixed_chain_loses_its_no_ops_and_keeps_its_output()
    {
        var model = ChainModels.Mixed(Length);
        var kept = model.Graph.Nodes.Count(n => n.OpType is not ("Identity" or "Cast"));

        var result = Timed(() => PassPipeline.Run(model, []));

        Assert.Equal(kept, result.Model.Graph.Nodes.Count);
        Assert.DoesNotContain(result.Model.Graph.Nodes, n => n.OpType is "Identity" or "Cast");
        Assert.Contains(result.Model.Graph.Nodes, n => n.Outputs.Contains("y"));
    }

    [Fact]
    public void A_100k_node_mixed_chain_goes_through_dynamic_quantization()
    {
        var model = ChainModels.Mixed(Length);
        var kept = model.Graph.Nodes.Count(n => n.OpType is not ("Identity" or "Cast"));

        var result = Timed(() => PassPipeline.Run(model, [DynamicInt8]));

        Assert.Equal(kept, result.Model.Graph.Nodes.Count);
        Assert.Contains("0 of 0 MatMul/Gemm quantized", result.Reports.Single(r => r.Pass == "Quantize").Summary);
    }

    [Fact]
    public void A_100k_identity_chain_collapses_to_the_one_identity_that_names_the_output()
    {
        var result = Timed(() => PassPipeline.Run(ChainModels.Identities(Length), []));

        var last = Assert.Single(result.Model.Graph.Nodes);
        Assert.Equal(["x"], last.Inputs);
        Assert.Equal(["y"], last.Outputs);
    }

    [Fact]
    public void A_100k_node_chain_with_dead_branches_loses_every_dead_node()
    {
        var result = Timed(() => PassPipeline.Run(ChainModels.WithDeadBranches(Length), []));

        Assert.Equal(Length / 2, result.Model.Graph.Nodes.Count);
        Assert.All(result.Model.Graph.Nodes, n => Assert.Equal("Relu", n.OpType));
    }

    [Fact]
    public void A_100k_node_chain_of_constant_adds_folds_to_one_initializer()
    {
        var result = Timed(() => PassPipeline.Run(ChainModels.ConstantAdds(Length), []));

        var add = Assert.Single(result.Model.Graph.Nodes);
        var folded = result.Model.Graph.FindInitializer(add.Inputs[1]);
        Assert.NotNull(folded);
        Assert.All(folded.ToFloatArray(), v => Assert.Equal(Length, v));
    }

    [Fact]
    public void A_100k_node_model_round_trips_through_the_writer_and_loader()
    {
        var model = ChainModels.Mixed(Length);

        var loaded = Timed(() => OnnxModelLoader.Load(OnnxModelWriter.ToBytes(model), null));

        Assert.Equal(Length, loaded.Graph.Nodes.Count);
    }

    private static T Timed<T>(Func<T> run)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = run();
        Assert.True(stopwatch.Elapsed < Guard, $"took {stopwatch.Elapsed.TotalSeconds:F0} s for {Length:N0} nodes: a step is no longer linear in the graph size");
        return result;
    }
}

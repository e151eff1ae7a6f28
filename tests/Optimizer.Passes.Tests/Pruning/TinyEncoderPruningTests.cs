using Optimizer.Onnx;
using Optimizer.Passes.Pruning;
using Optimizer.Passes.Pruning.Encoders;
using Optimizer.Passes.Tests.Support;
using Xunit.Abstractions;
using static Optimizer.Passes.Tests.Pruning.EncoderPruningChecks;
using static Optimizer.Passes.Tests.Pruning.PruningGraphs;

namespace Optimizer.Passes.Tests.Pruning;

/// <summary>Encoder pruning on a one-block encoder built in the test (TinyEncoder): the finder, the rewrite, and exact equivalence in ONNX Runtime.</summary>
public sealed class TinyEncoderPruningTests(ITestOutputHelper output)
{
    [Fact]
    public void The_finder_sees_one_FFN_pair_and_one_attention_block_with_their_sizes()
    {
        var model = TinyEncoder.Build();
        var (layers, _) = PrunableLayerFinder.Find(model.Graph, LayerExclusions.None);

        var blocks = EncoderBlockFinder.Find(model, layers);

        var ffn = Assert.Single(blocks.Ffns);
        Assert.Equal(("up_matmul", "down_matmul", TinyEncoder.Neurons), (ffn.Up.MatMul.Name, ffn.Down.MatMul.Name, ffn.Neurons));
        Assert.Equal("g5", ffn.Activation);
        var attention = Assert.Single(blocks.Attentions);
        Assert.Equal((TinyEncoder.Heads, TinyEncoder.HeadSize), (attention.Heads, attention.HeadSize));
        Assert.Equal(["q_matmul", "k_matmul", "v_matmul", "o_matmul"], attention.Splits.Select(s => s.Projection.MatMul.Name).Append(attention.Output.MatMul.Name));
        Assert.Empty(blocks.Refused);
    }

    [Fact]
    public void Channel_removes_FFN_neurons_and_computes_what_the_original_computes_without_them()
    {
        var model = TinyEncoder.Build();

        var (pruned, report) = RunPrune(model, ("Sparsity", "0.5"), ("Structure", "Channel"));

        output.WriteLine(report.Summary);
        Assert.Contains(report.Changed, c => c.Detail.StartsWith("encoder block 1 FFN: 8 of 16 neurons removed (L1 magnitude)", StringComparison.Ordinal));
        Assert.Equal([TinyEncoder.Hidden, 8], pruned.Graph.FindInitializer("W1")!.Dims);
        Assert.Equal([8, TinyEncoder.Hidden], pruned.Graph.FindInitializer(TinyEncoder.DownWeight)!.Dims);
        Assert.Equal(8 * (TinyEncoder.Hidden + 1 + TinyEncoder.Hidden), Parameters(model) - Parameters(pruned));
        Assert.Null(report.Shortfall); // the attention projections are left by design, not held back

        var kept = KeptColumns(model.Graph.FindInitializer("W1")!, pruned.Graph.FindInitializer("W1")!);
        var reference = WithRowsZeroed(model, TinyEncoder.DownWeight, Enumerable.Range(0, TinyEncoder.Neurons).Except(kept));
        var input = TinyEncoder.Input(batch: 3, sequence: 5);
        Assert.True(MaxDifference(Ort.Run(reference, input), Ort.Run(pruned, input)) < 1e-5f);
    }

    [Fact]
    public void AttentionHead_removes_a_head_rewrites_the_shared_shape_constants_and_computes_the_same_as_the_original_without_it()
    {
        var model = TinyEncoder.Build();

        var (pruned, report) = RunPrune(model, ("Sparsity", "0.5"), ("Structure", "AttentionHead"));

        output.WriteLine(report.Summary);
        var removed = Assert.Single(RemovedHeads(report));
        Assert.Single(removed);
        Assert.Null(report.Shortfall);
        var graph = pruned.Graph;
        foreach (var split in new[] { "q_split", "k_split", "v_split" })
        {
            Assert.Equal([0, 0, 1, TinyEncoder.HeadSize], graph.FindInitializer(graph.Nodes.Single(n => n.Name == split).Inputs[1])!.ToInt64Array());
        }

        Assert.Equal([0, 0, TinyEncoder.HeadSize], graph.FindInitializer(graph.Nodes.Single(n => n.Name == "merge").Inputs[1])!.ToInt64Array());
        // Q, K, V lose d columns and d bias entries each, O loses d rows (the shape constants are int64, not counted).
        Assert.Equal(TinyEncoder.HeadSize * (4 * TinyEncoder.Hidden + 3), Parameters(model) - Parameters(pruned));

        var d = TinyEncoder.HeadSize;
        var reference = WithRowsZeroed(model, TinyEncoder.OutputWeight, removed.SelectMany(h => Enumerable.Range(h * d, d)));
        var input = TinyEncoder.Input(batch: 2, sequence: 6);
        Assert.True(MaxDifference(Ort.Run(reference, input), Ort.Run(pruned, input)) < 1e-5f);
    }

    [Fact]
    public void A_head_count_computed_at_run_time_is_refused_with_the_reason()
    {
        var model = TinyEncoder.Build();
        var graph = model.Graph;
        // K's split shape comes out of a node: it stands for any head count computed at run time.
        graph.Nodes.Insert(0, new OnnxNode("Identity", [TinyEncoder.SplitShape], ["computed_shape"], "compute_shape"));
        graph.Nodes.Single(n => n.Name == "k_split").Inputs[1] = "computed_shape";

        var (pruned, report) = RunPrune(model, ("Sparsity", "0.5"), ("Structure", "AttentionHead"));

        var skip = Assert.Single(report.Skipped);
        Assert.Contains("computed at run time by Identity", skip.Reason);
        Assert.NotNull(report.Shortfall);
        Assert.Equal(Parameters(model), Parameters(pruned));
    }
}

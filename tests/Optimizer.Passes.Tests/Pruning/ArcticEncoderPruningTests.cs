using Optimizer.Engine.Calibration;
using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;
using static Optimizer.Passes.Tests.Pruning.EncoderPruningChecks;
using static Optimizer.Passes.Tests.Pruning.PruningGraphs;

namespace Optimizer.Passes.Tests.Pruning;

/// <summary>
/// Encoder pruning on ../shared/data/models/arctic_embed_xs.onnx (6 blocks, hidden 384, 12 heads × 32, FFN 1536),
/// through the pipeline as a build runs it (clean-up and fusion first), checked on real sentences in ONNX Runtime.
/// </summary>
public sealed class ArcticEncoderPruningTests(ITestOutputHelper output)
{
    private const int Blocks = 6, Hidden = 384, Neurons = 1536, Heads = 12, HeadSize = 32;
    private const string CalibrationKey = "calib.npz";

    private static OnnxModel Load() => OnnxModelLoader.Load(Path.Combine(SharedData.Folder, "models", "arctic_embed_xs.onnx"));

    // The model as the Prune pass receives it: after the pipeline's clean-up and fusion.
    private static OnnxModel Cleaned() => PassPipeline.Run(Load(), []).Model;

    private static PassContext Context() =>
        new() { CalibrationData = TestSamples.Named(CalibrationKey, ArcticSentences.Calibration), Executor = new OnnxRuntimeModelExecutor() };

    [ConditionalFact("data")]
    public void Channel_removes_40_percent_of_every_FFN_and_the_encoder_still_runs()
    {
        var model = Load();

        var result = PassPipeline.Run(model, [Prune(("Sparsity", "0.4"), ("Structure", "Channel"))]);

        var report = result.Reports.Single(r => r.Pass == "Prune");
        output.WriteLine(report.Summary);
        var ffns = report.Changed.Where(c => c.Detail.Contains(" FFN: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Blocks, ffns.Count);
        Assert.All(ffns, c => Assert.Contains("614 of 1536 neurons removed", c.Detail));
        Assert.Equal(Blocks * 614L * (Hidden + 1 + Hidden), Parameters(Cleaned()) - Parameters(result.Model));
        Assert.Null(report.Shortfall);
        Report(model, result.Model, "Channel 40%, L1 magnitude");
    }

    [ConditionalFact("data")]
    public void AttentionHead_removes_3_of_12_heads_per_block_and_rewrites_the_head_counts_in_the_shape_concats()
    {
        var model = Load();

        var result = PassPipeline.Run(model, [Prune(("Sparsity", "0.25"), ("Structure", "AttentionHead"))]);

        var report = result.Reports.Single(r => r.Pass == "Prune");
        output.WriteLine(report.Summary);
        var removed = RemovedHeads(report);
        Assert.Equal(Blocks, removed.Count);
        Assert.All(removed, heads => Assert.Equal(3, heads.Length));
        Assert.Equal(Blocks * 3L * HeadSize * (4 * Hidden + 3), Parameters(Cleaned()) - Parameters(result.Model));
        Assert.Null(report.Shortfall);

        // Every Reshape that split heads now says 9 heads of 32; every merge says 9·32 = 288.
        var graph = result.Model.Graph;
        var shapeConstants = graph.Nodes.Where(n => n.OpType == "Concat" && graph.FindConsumers(n.Outputs[0]) is [{ OpType: "Reshape" }])
            .Select(n => string.Join(",", n.Inputs.Select(graph.FindInitializer).OfType<OnnxTensor>().SelectMany(t => t.ToInt64Array())))
            .GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join("; ", shapeConstants.Select(kv => $"[{kv.Key}] × {kv.Value}")));
        Assert.Equal(Blocks * 3, shapeConstants.GetValueOrDefault("9,32"));
        Assert.Equal(Blocks, shapeConstants.GetValueOrDefault("288"));
        Assert.False(shapeConstants.ContainsKey("12,32"));

        // The smaller model computes what the original computes with the removed heads' output rows zeroed.
        var reference = Cleaned();
        var outputProjections = report.Changed.Select(c => c.Node).ToList();
        foreach (var (node, heads) in outputProjections.Zip(removed))
        {
            var weight = reference.Graph.Nodes.Single(n => n.Name == node).Inputs[1];
            reference = WithRowsZeroed(reference, weight, heads.SelectMany(h => Enumerable.Range(h * HeadSize, HeadSize)));
        }

        var sentences = ArcticSentences.Validation.Take(4);
        var difference = MaxDifference(ArcticSentences.HiddenStates(reference, sentences).Values, ArcticSentences.HiddenStates(result.Model, sentences).Values);
        output.WriteLine($"max |difference| to the original with those heads zeroed: {difference:G3}");
        Assert.True(difference < 1e-3f, $"difference {difference}");
        Report(model, result.Model, "AttentionHead 25%, L1 magnitude");
    }

    [ConditionalTheory("data")]
    [InlineData("Channel")]
    [InlineData("AttentionHead")]
    public void A_sparsity_that_rounds_to_nothing_leaves_every_output_bit_identical(string structure)
    {
        var model = Load();
        var untouched = Cleaned();

        var result = PassPipeline.Run(model, [Prune(("Sparsity", "0.0001"), ("Structure", structure))]);

        Assert.Equal(Parameters(untouched), Parameters(result.Model));
        var sentences = ArcticSentences.Validation.Take(4);
        Assert.Equal(ArcticSentences.HiddenStates(untouched, sentences).Values, ArcticSentences.HiddenStates(result.Model, sentences).Values);
    }

    [ConditionalTheory("data")]
    [InlineData("Channel", "0.4")]
    [InlineData("AttentionHead", "0.25")]
    public void Calibration_data_ranks_by_activations_and_says_so(string structure, string sparsity)
    {
        var model = Load();

        var result = PassPipeline.Run(model, [Prune(("Sparsity", sparsity), ("Structure", structure), ("Calibration", CalibrationKey))], Context());

        var report = result.Reports.Single(r => r.Pass == "Prune");
        output.WriteLine(report.Summary);
        Assert.Contains("ranked by activations on 64 calibration sentences", report.Summary);
        Assert.All(report.Changed.Where(c => c.Detail.StartsWith("encoder block", StringComparison.Ordinal)), c => Assert.Contains("(activations on 64 calibration sentences)", c.Detail));
        Report(model, result.Model, $"{structure} {sparsity}, activation ranking");
    }

    // Runs both on the validation sentences: output shape unchanged, and the pooled cosine before any training (for the report; training recovers it).
    private void Report(OnnxModel original, OnnxModel pruned, string what)
    {
        var sentences = ArcticSentences.Validation;
        var (before, shape) = ArcticSentences.HiddenStates(original, sentences);
        var (after, prunedShape) = ArcticSentences.HiddenStates(pruned, sentences);
        Assert.Equal([sentences.Count, sentences.SequenceLength, Hidden], prunedShape);
        Assert.Equal(shape, prunedShape);
        output.WriteLine($"{what}: params {Parameters(original)} → {Parameters(pruned)}, min pooled cosine over {sentences.Count} validation sentences {ArcticSentences.MinPooledCosine(before, after, sentences):F4}");
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;
using static Optimizer.Passes.Tests.Pruning.EncoderPruningChecks;
using static Optimizer.Passes.Tests.Pruning.PruningGraphs;

namespace Optimizer.Passes.Tests.Pruning;

/// <summary>
/// Issue 19's "same declaration on another encoder of the family": the encoders build/make-encoder-variants.py
/// writes from arctic's weights in other export styles (LayerNormalization op, SDPA's scaled Q and Kᵀ, the
/// Where/Expand mask, tanh Gelu, constant or Concat-of-Shape reshapes, 2 inputs, int32 ids, pooler_output or
/// sentence_embedding beside last_hidden_state) prune the same per-block counts as arctic and still run in ONNX Runtime.
/// </summary>
public sealed class EncoderVariantPruningTests(ITestOutputHelper output)
{
    private const int Hidden = 384, HeadSize = 32;

    public static TheoryData<string> Variants => new(EncoderVariants.All.Select(v => v.Name));

    [ConditionalFact(Needs.PythonOnnx, "data/models")]
    public void The_variant_that_keeps_arctics_math_gives_arctics_hidden_states()
    {
        var arctic = OnnxModelLoader.Load(Path.Combine(SharedData.Folder, "models", "arctic_embed_xs.onnx"));
        var bert6 = Load(EncoderVariants.Bert6);
        var sentences = ArcticSentences.Validation;

        var difference = MaxDifference(ArcticSentences.HiddenStates(arctic, sentences).Values, ArcticSentences.HiddenStates(bert6, sentences).Values);

        output.WriteLine($"bert6 (int32 ids, Where mask, Mul scale, constant shapes) vs arctic: max |difference| {difference:G3}");
        Assert.True(difference < 1e-4f, $"difference {difference}");
    }

    [ConditionalTheory(Needs.PythonOnnx, "data/models")]
    [MemberData(nameof(Variants))]
    public void Channel_removes_614_of_1536_neurons_from_every_FFN(string name)
    {
        var (variant, model, pruned, report) = PruneVariant(name, "0.4", "Channel");

        var ffns = report.Changed.Where(c => c.Detail.Contains(" FFN: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(variant.Blocks, ffns.Count);
        Assert.All(ffns, c => Assert.Contains("614 of 1536 neurons removed", c.Detail));
        Assert.Equal(variant.Blocks * 614L * (Hidden + 1 + Hidden), Parameters(PassPipeline.Run(model, []).Model) - Parameters(pruned));
        // Only a layer outside the blocks whose channels are a graph output's (sdpa4's pooler dense) is left, and said so.
        if (report.Shortfall is { } shortfall)
        {
            output.WriteLine(shortfall.ToString());
            Assert.All(shortfall.Reasons, r => Assert.Contains("a graph output", r));
        }

        AssertRunsAndReport(model, pruned, $"{name} Channel 40%", minCosine: 0.8);
    }

    [ConditionalTheory(Needs.PythonOnnx, "data/models")]
    [MemberData(nameof(Variants))]
    public void AttentionHead_removes_3_of_12_heads_from_every_block(string name)
    {
        var (variant, model, pruned, report) = PruneVariant(name, "0.25", "AttentionHead");

        var removed = RemovedHeads(report);
        Assert.Equal(variant.Blocks, removed.Count);
        Assert.All(removed, heads => Assert.Equal(3, heads.Length));
        Assert.Equal(variant.Blocks * 3L * HeadSize * (4 * Hidden + 3), Parameters(PassPipeline.Run(model, []).Model) - Parameters(pruned));
        Assert.Null(report.Shortfall);
        AssertRunsAndReport(model, pruned, $"{name} AttentionHead 25%", minCosine: 0.8);
    }

    private static OnnxModel Load(EncoderVariant variant) => OnnxModelLoader.Load(EncoderVariants.PathOf(variant));

    // The variant through the pipeline as a build runs it, with one Prune declaration.
    private (EncoderVariant Variant, OnnxModel Model, OnnxModel Pruned, PassReport Report) PruneVariant(string name, string sparsity, string structure)
    {
        var variant = EncoderVariants.Named(name);
        var model = Load(variant);
        var result = PassPipeline.Run(model, [Prune(("Sparsity", sparsity), ("Structure", structure))]);
        var report = result.Reports.Single(r => r.Pass == "Prune");
        output.WriteLine(report.Summary);
        return (variant, model, result.Model, report);
    }

    // Both run in ONNX Runtime on the validation sentences with the same output shape; the pooled cosine of the
    // untrained pruned model (training recovers the rest) is reported and must stay near arctic's (0.89–0.93).
    private void AssertRunsAndReport(OnnxModel original, OnnxModel pruned, string what, double minCosine)
    {
        var sentences = ArcticSentences.Validation;
        var (before, shape) = ArcticSentences.HiddenStates(original, sentences);
        var (after, prunedShape) = ArcticSentences.HiddenStates(pruned, sentences);
        Assert.Equal([sentences.Count, sentences.SequenceLength, Hidden], prunedShape);
        Assert.Equal(shape, prunedShape);
        var cosine = ArcticSentences.MinPooledCosine(before, after, sentences);
        output.WriteLine($"{what}: params {Parameters(original)} → {Parameters(pruned)}, min pooled cosine over {sentences.Count} validation sentences {cosine:F4}");
        Assert.True(cosine >= minCosine, $"min pooled cosine {cosine:F4}");
    }
}

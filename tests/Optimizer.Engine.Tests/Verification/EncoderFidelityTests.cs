using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Engine.Verification;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Data;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests.Verification;

/// <summary>
/// Fidelity for a model that is not a classifier: the real arctic_embed_xs BERT encoder (int64
/// input_ids/attention_mask/token_type_ids → last_hidden_state [batch, seq, 384]) against its own
/// DynamicInt8 form, run in ONNX Runtime on sentences of real vocabulary ids with padding.
/// </summary>
public sealed class EncoderFidelityTests(ITestOutputHelper output)
{
    private const int Sentences = 6, Tokens = 16;

    private static readonly Lazy<(OnnxModel Original, OnnxModel Quantized)> Models = new(() =>
    {
        var original = OnnxModelLoader.Load(Path.Combine(RepositoryPaths.SharedModels, "arctic_embed_xs.onnx"));
        var quantized = PassPipeline.Run(original, [new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" })]).Model;
        return (original, quantized);
    });

    [ConditionalFact("data")]
    public void DynamicInt8_keeps_the_pooled_sentence_embeddings_close_and_reports_no_classification()
    {
        var (original, quantized) = Models.Value;
        var data = new VerificationInputs(Sentences_(), null, "6 sentences");

        var fidelity = ModelRunner.Compare(OnnxModelWriter.ToBytes(original), original, OnnxModelWriter.ToBytes(quantized), quantized, data);
        output.WriteLine(fidelity.Describe(null, 0.9));

        var hidden = Assert.Single(fidelity.Outputs);
        Assert.Equal("last_hidden_state", hidden.Name);
        Assert.NotNull(hidden.PooledCosineMin);
        Assert.InRange(hidden.PooledCosineMin!.Value, 0.9, 1.0);
        Assert.InRange(hidden.PooledCosineMean!.Value, hidden.PooledCosineMin.Value, 1.0);
        Assert.InRange(hidden.CosineMin, 0.5, hidden.CosineMean);
        Assert.True(hidden.SqnrDb is > 0 and < double.PositiveInfinity, $"SQNR {hidden.SqnrDb}");
        Assert.Equal(Sentences, fidelity.SampleCount);
        // An encoder's [batch, seq, hidden] output is not class scores: no agreement, no top-1.
        Assert.Null(fidelity.ClassificationOutput);
        Assert.Null(fidelity.Agreement);
        Assert.Equal(hidden.PooledCosineMin, fidelity.MinCosine);
        Assert.Contains("last_hidden_state pooled cos min 0.9", fidelity.Describe(null));
        Assert.DoesNotContain("agreement", fidelity.Describe(null));
    }

    [ConditionalFact("data")]
    public void Padding_does_not_count_in_the_pooled_cosine()
    {
        var (original, _) = Models.Value;
        var bytes = OnnxModelWriter.ToBytes(original);
        // The same model on both sides: every cosine is 1 whatever the mask, and the pooled one exists.
        var fidelity = ModelRunner.Compare(bytes, original, bytes, original, new VerificationInputs(Sentences_(), null, "6 sentences"));
        var hidden = Assert.Single(fidelity.Outputs);
        Assert.Equal(1.0, hidden.PooledCosineMin!.Value, 12);
        Assert.Equal(0, hidden.MaxAbsError);
    }

    [ConditionalFact("data")]
    public void A_MinCosine_budget_the_quantized_encoder_misses_is_a_coded_error_naming_the_cosine()
    {
        var (original, quantized) = Models.Value;
        var plan = Plan(original);
        var budget = new AccuracyBudgetSettings(null, 0.99999, null, null, new DiagnosticLocation(plan.Model));
        var control = new AccuracyControl(plan, original, budget, staticInt8: false, (_, _) => throw new InvalidOperationException("nothing is reverted for DynamicInt8"));

        var error = Assert.Throws<EngineException>(() => control.Run(new PipelineResult(quantized, []), new Dictionary<string, SampleSet> { ["calib"] = Sentences_() }));
        output.WriteLine(error.Message);

        Assert.Equal(EngineErrorCodes.AccuracyBudgetExceeded, error.Code);
        Assert.Contains("pooled cosine 0.9", error.Message);
        Assert.Contains("is below [AccuracyBudget] MinCosine 0.99999", error.Message);
        Assert.DoesNotContain("MaxDrop", error.Message.Split("Tried:")[0]); // only the cosine is checked
    }

    [ConditionalFact("data")]
    public void A_MinCosine_budget_that_holds_passes_with_the_pooled_figures()
    {
        var (original, quantized) = Models.Value;
        var plan = Plan(original);
        var budget = new AccuracyBudgetSettings(null, 0.9, null, null, null);
        var control = new AccuracyControl(plan, original, budget, staticInt8: false, (_, _) => throw new InvalidOperationException("nothing to revert"));

        var outcome = control.Run(new PipelineResult(quantized, []), new Dictionary<string, SampleSet> { ["calib"] = Sentences_() });

        Assert.Empty(outcome.Warnings);
        Assert.Empty(outcome.EstimateWarnings); // declared data, not generated: no estimate warning
        Assert.Contains("pooled cos min", outcome.Fidelity!.Describe(budget.MaxDrop, budget.MinCosine));
        Assert.Contains("(budget cos ≥ 0.9)", outcome.Fidelity.Describe(budget.MaxDrop, budget.MinCosine));
    }

    [ConditionalFact("data")]
    public void Figures_from_generated_inputs_are_labelled_an_estimate()
    {
        var (original, quantized) = Models.Value;
        var samples = Sentences_();
        var generated = new StackedSamples(((StackedSamples)samples).Inputs, batchable: true) { Source = "6 generated samples", IsGenerated = true };
        var fidelity = ModelRunner.Compare(OnnxModelWriter.ToBytes(original), original, OnnxModelWriter.ToBytes(quantized), quantized,
            new VerificationInputs(generated, null, generated.Source));

        Assert.True(fidelity.IsGenerated);
        Assert.EndsWith("on 6 generated samples — estimate; declare Validation data", fidelity.Describe(null));
        Assert.True(fidelity.ToReport(null).IsEstimate);
        var warning = Assert.Single(EstimateWarning.For(Plan(original) with { Passes = [new PlannedPass("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" }, null)] }, fidelity));
        Assert.Contains("warning OPT1086", warning);
        Assert.Contains("only estimated: ", warning);
        Assert.Contains("on 6 generated samples — estimate", warning);
        Assert.Empty(EstimateWarning.For(Plan(original), fidelity)); // no lossy pass declared: nothing to warn about
    }

    /// <summary>6 sentences of 16 tokens: [CLS], whole-word ids of the model's vocabulary, [SEP], then padding (mask 0) in every other sentence.</summary>
    private static SampleSet Sentences_()
    {
        var vocabulary = File.ReadAllLines(Path.Combine(RepositoryPaths.SharedModels, "arctic_embed_xs.vocab.txt")).Select(l => l.TrimEnd('\r')).ToList();
        var (cls, sep, pad) = (vocabulary.IndexOf("[CLS]"), vocabulary.IndexOf("[SEP]"), vocabulary.IndexOf("[PAD]"));
        var firstWord = vocabulary.FindIndex(t => t.Length > 1 && t.All(char.IsAsciiLetterLower));
        var random = new Random(5);
        var ids = new long[Sentences * Tokens];
        var mask = new long[Sentences * Tokens];
        for (var s = 0; s < Sentences; s++)
        {
            var length = s % 2 == 0 ? Tokens : Tokens / 2;
            for (var t = 0; t < Tokens; t++)
            {
                ids[s * Tokens + t] = t == 0 ? cls : t == length - 1 ? sep : t < length ? random.Next(firstWord, vocabulary.Count) : pad;
                mask[s * Tokens + t] = t < length ? 1 : 0;
            }
        }

        long[] shape = [Sentences, Tokens];
        return new StackedSamples(
        [
            new StackedInput("input_ids", DataTensor.FromInt64(ids, shape), false),
            new StackedInput("attention_mask", DataTensor.FromInt64(mask, shape), false),
            new StackedInput("token_type_ids", DataTensor.FromInt64(new long[ids.Length], shape), false),
        ], batchable: true) { Source = "6 sentences" };
    }

    private static OptimizationPlan Plan(OnnxModel model)
    {
        var path = Path.Combine(RepositoryPaths.SharedModels, "arctic_embed_xs.onnx");
        return new OptimizationPlan(OptimizationPlan.CurrentFormatVersion, "Arctic", "", path, "arctic_embed_xs.onnx", new DiagnosticLocation(path),
            Path.GetTempPath(), RepositoryPaths.SharedModels, "Arctic.onnx", []);
    }
}

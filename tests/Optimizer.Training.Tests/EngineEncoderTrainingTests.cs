using System.Diagnostics;
using Optimizer.EndToEnd.Tests.RealData;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Training.Tests;

/// <summary>The engine reads an encoder's .npz data (three int64 arrays, no labels) and distils it after the plan's passes.</summary>
public class EngineEncoderTrainingTests(ITestOutputHelper output)
{
    /// <summary>A file of sentences, one a line (build/make-sentences.sh), for the measurement run.</summary>
    public const string SentencesVariable = "OPTIMIZER_DISTILL_SENTENCES";

    [ConditionalFact("data/models")]
    public void A_plan_with_npz_token_ids_distils_the_encoder_and_reports_each_epoch()
    {
        var project = Directory.CreateTempSubdirectory("optimizer-encoder-training-").FullName;
        try
        {
            var (report, model) = EngineEncoderTraining.Run(project, ArcticEncoderData.CalibrationSentences.Take(16).ToList(), ArcticEncoderData.ValidationSentences, 64,
                new Dictionary<string, string> { ["Epochs"] = "1", ["BatchSize"] = "8", ["LearningRate"] = "0.0001" });
            output.WriteLine(report);
            Assert.Contains("| FineTune+Distill | 1 of 1 epochs, best epoch ", report);
            Assert.Contains("distillation (CosineMse on '", report); // the report escapes the names' underscores
            Assert.Contains("16 samples: validation cos min 1.0000", report);
            Assert.Contains("- epoch 1: loss ", report);
            Assert.True(File.Exists(model));
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    /// <summary>
    /// Issue 19's chain on another encoder of the family (EncoderVariants.Sdpa4: 2 inputs, opset 17 LayerNormalization,
    /// SDPA-scaled attention, a pooler_output beside last_hidden_state): every block loses arctic's 614 FFN neurons,
    /// one short epoch distils it, DynamicInt8 quantizes it, and the result is verified against the original.
    /// </summary>
    [ConditionalFact(Needs.PythonOnnx, "data/models")]
    public void A_variant_encoder_is_pruned_distilled_and_quantized_by_one_declaration()
    {
        var project = Directory.CreateTempSubdirectory("optimizer-variant-training-").FullName;
        try
        {
            var (report, model) = EngineEncoderTraining.Run(project, ArcticEncoderData.CalibrationSentences.Take(16).ToList(), ArcticEncoderData.ValidationSentences.Take(8).ToList(), 32,
                new Dictionary<string, string> { ["Epochs"] = "1", ["BatchSize"] = "8", ["LearningRate"] = "0.0001" },
                [("Prune", new() { ["Sparsity"] = "0.4", ["Structure"] = "Channel" })], [("Quantize", new() { ["Mode"] = "DynamicInt8" })],
                EncoderVariants.PathOf(EncoderVariants.Sdpa4));
            output.WriteLine(report);
            Assert.Contains("2456 of 6144 neurons removed from 4 of 4 blocks", report);
            Assert.Contains("| FineTune+Distill | 1 of 1 epochs, best epoch ", report);
            Assert.Contains("- epoch 1: loss ", report);
            Assert.Contains("| Quantize | DynamicInt8", report);
            var optimized = OnnxModelLoader.Load(model);
            Assert.Equal(["input_ids", "attention_mask"], optimized.Graph.Inputs.Select(i => i.Name));
            Assert.Equal(["last_hidden_state", "pooler_output"], optimized.Graph.Outputs.Select(o => o.Name));
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    /// <summary>
    /// The figures for issue 19's note: a few thousand real sentences at sequence length 128, through
    /// the engine. Runs only where <see cref="SentencesVariable"/> names a sentence file.
    /// </summary>
    [SentencesFileFact]
    public void Measure_distillation_time_on_real_sentences()
    {
        var sentences = File.ReadAllLines(Environment.GetEnvironmentVariable(SentencesVariable)!).Where(l => l.Length > 0).ToList();
        var validation = sentences.Where((_, i) => i % 10 == 9).ToList();
        var train = sentences.Where((_, i) => i % 10 != 9).ToList();
        var epochs = int.Parse(Environment.GetEnvironmentVariable("OPTIMIZER_DISTILL_EPOCHS") ?? "1");
        // Issue 19's chain: OPTIMIZER_DISTILL_PRUNE="Sparsity=0.4,Structure=Channel" before the training,
        // OPTIMIZER_DISTILL_QUANTIZE="Mode=DynamicInt8" and OPTIMIZER_DISTILL_BUDGET="MinCosine=0.97" after it.
        var before = Passes(("Prune", "OPTIMIZER_DISTILL_PRUNE"));
        var after = Passes(("Quantize", "OPTIMIZER_DISTILL_QUANTIZE"), ("AccuracyBudget", "OPTIMIZER_DISTILL_BUDGET"));
        var project = Directory.CreateTempSubdirectory("optimizer-encoder-measure-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            // OPTIMIZER_DISTILL_MODEL=bert6|sdpa4|tanh6 measures an EncoderVariants encoder instead of arctic.
            var variant = Environment.GetEnvironmentVariable("OPTIMIZER_DISTILL_MODEL") is { Length: > 0 } name ? EncoderVariants.PathOf(EncoderVariants.Named(name)) : null;
            var (report, model) = EngineEncoderTraining.Run(project, train, validation, 128,
                new Dictionary<string, string> { ["Epochs"] = epochs.ToString(), ["BatchSize"] = "32", ["LearningRate"] = Environment.GetEnvironmentVariable("OPTIMIZER_DISTILL_LR") ?? "0.0001", ["Patience"] = "2" },
                before, after, variant);
            if (Environment.GetEnvironmentVariable("OPTIMIZER_DISTILL_KEEP") is { Length: > 0 } keep)
            {
                File.Copy(model, keep, overwrite: true);
                File.Copy(Path.Combine(project, "val.npz"), Path.ChangeExtension(keep, ".val.npz"), overwrite: true);
            }
            using var self = Process.GetCurrentProcess();
            output.WriteLine($"{train.Count} training / {validation.Count} validation sentences, {epochs} epoch(s): {clock.Elapsed.TotalSeconds:F0} s in the engine, peak working set {self.PeakWorkingSet64 / (1 << 20)} MiB");
            output.WriteLine(report);
            Assert.Contains("| FineTune+Distill |", report);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    private static List<(string Pass, Dictionary<string, string> Options)> Passes(params (string Pass, string Variable)[] declared) =>
        declared.Where(d => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(d.Variable)))
            .Select(d => (d.Pass, Environment.GetEnvironmentVariable(d.Variable)!.Split(',').Select(o => o.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1])))
            .ToList();

    /// <summary>A fact that runs only with a sentence file named by <see cref="SentencesVariable"/>; reported as skipped elsewhere.</summary>
    private sealed class SentencesFileFactAttribute : FactAttribute
    {
        public SentencesFileFactAttribute()
        {
            var path = Environment.GetEnvironmentVariable(SentencesVariable);
            if (string.IsNullOrEmpty(path) || !File.Exists(path))
                Skip = $"a measurement: set {SentencesVariable} to a sentence file (build/make-sentences.sh)";
            else if (TestNeeds.SkipReason(Needs.None, ["data/models"]) is { } reason)
                Skip = reason;
        }
    }
}

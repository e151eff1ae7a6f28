using Optimizer.EndToEnd.Tests.RealData;
using Optimizer.Engine.Commands;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;

namespace Optimizer.Training.Tests;

/// <summary>Runs a FineTune + Distill plan on arctic_embed_xs through the engine, with the sentences written as .npz files the way an app's build declares them.</summary>
internal static class EngineEncoderTraining
{
    /// <summary>Tokenizes, pads to <paramref name="sequenceLength"/>, writes train.npz/val.npz, optimizes; returns the report's text and the optimized model's path.</summary>
    public static (string Report, string Model) Run(string project, IReadOnlyList<string> train, IReadOnlyList<string> validation, int sequenceLength, IReadOnlyDictionary<string, string> fineTune)
        => Run(project, train, validation, sequenceLength, fineTune, [], []);

    /// <summary>As above, with passes declared before the training (e.g. Prune) and after it (e.g. Quantize, AccuracyBudget), as one class's attributes.</summary>
    public static (string Report, string Model) Run(string project, IReadOnlyList<string> train, IReadOnlyList<string> validation, int sequenceLength, IReadOnlyDictionary<string, string> fineTune,
        IReadOnlyList<(string Pass, Dictionary<string, string> Options)> before, IReadOnlyList<(string Pass, Dictionary<string, string> Options)> after)
    {
        File.Copy(Path.Combine(TestData.Models, ArcticEncoderData.ModelFile), Path.Combine(project, "encoder.onnx"));
        Encode(train, sequenceLength).WriteNpz(Path.Combine(project, "train.npz"));
        Encode(validation, sequenceLength).WriteNpz(Path.Combine(project, "val.npz"));
        Environment.SetEnvironmentVariable("OPTIMIZER_TRAINING_ASSEMBLY", typeof(EngineEntryPoint).Assembly.Location);
        try
        {
            var at = new DiagnosticLocation(Path.Combine(project, "Models.cs"), 3, 2);
            var options = new Dictionary<string, string>(fineTune) { ["Data"] = "train.npz", ["Validation"] = "val.npz" };
            var plan = new OptimizationPlan(OptimizationPlan.CurrentFormatVersion, "T.Encoder", "T.Encoder", Path.Combine(project, "encoder.onnx"), "encoder.onnx", at,
                Path.Combine(project, "out"), project, "T.Encoder.onnx",
                [.. before.Select(p => new PlannedPass(p.Pass, p.Options, at)), new PlannedPass("FineTune", options, at), new PlannedPass("Distill", new Dictionary<string, string>(), at),
                 .. after.Select(p => new PlannedPass(p.Pass, p.Options, at))]);
            OptimizeCommand.Optimize(plan);
            return (File.ReadAllText(Path.Combine(project, "out", "T.Encoder.report.md")), Path.Combine(project, "out", "T.Encoder.onnx"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPTIMIZER_TRAINING_ASSEMBLY", null);
        }
    }

    /// <summary>Sentences longer than the sequence length are left out (as a data script would cut them).</summary>
    private static EncodedSentences Encode(IReadOnlyList<string> sentences, int sequenceLength) =>
        EncodedSentences.Pad(sentences.Select(ArcticEncoderData.Tokenize).Where(t => t.Count <= sequenceLength).ToList(), sequenceLength);
}

using Optimizer.EndToEnd.Tests.RealData;
using Optimizer.Engine.Commands;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;

namespace Optimizer.Training.Tests;

/// <summary>Runs a FineTune + Distill plan on arctic_embed_xs through the engine, with the sentences written as .npz files the way an app's build declares them.</summary>
internal static class EngineEncoderTraining
{
    /// <summary>Tokenizes, pads to <paramref name="sequenceLength"/>, writes train.npz/val.npz, optimizes; returns the report's text and the optimized model's path.</summary>
    public static (string Report, string Model) Run(string project, IReadOnlyList<string> train, IReadOnlyList<string> validation, int sequenceLength, IReadOnlyDictionary<string, string> fineTune)
        => Run(project, train, validation, sequenceLength, fineTune, [], []);

    /// <summary>
    /// As above, with passes declared before the training (e.g. Prune) and after it (e.g. Quantize, AccuracyBudget), as one class's attributes,
    /// on <paramref name="model"/> (arctic_embed_xs when null; another encoder tokenized with arctic's vocabulary, e.g. an EncoderVariants file).
    /// </summary>
    public static (string Report, string Model) Run(string project, IReadOnlyList<string> train, IReadOnlyList<string> validation, int sequenceLength, IReadOnlyDictionary<string, string> fineTune,
        IReadOnlyList<(string Pass, Dictionary<string, string> Options)> before, IReadOnlyList<(string Pass, Dictionary<string, string> Options)> after, string? model = null)
    {
        var source = model ?? Path.Combine(TestData.Models, ArcticEncoderData.ModelFile);
        File.Copy(source, Path.Combine(project, "encoder.onnx"));
        var inputs = OnnxModelLoader.Load(source).Graph.Inputs;
        WriteNpz(Encode(train, sequenceLength), inputs, Path.Combine(project, "train.npz"));
        WriteNpz(Encode(validation, sequenceLength), inputs, Path.Combine(project, "val.npz"));
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

    /// <summary>One array per model input, named like it and of its element type (int64, or int32 ids).</summary>
    private static void WriteNpz(EncodedSentences sentences, IReadOnlyList<ValueInfo> inputs, string path)
    {
        long[] shape = [sentences.Count, sentences.SequenceLength];
        var npz = new NpzWriter();
        foreach (var input in inputs)
        {
            var values = sentences.Array(input.Name);
            if (input.Type?.ElementType == TensorElementType.Int32)
                npz.Int32s(input.Name, shape, values.Select(v => checked((int)v)).ToArray());
            else
                npz.Int64s(input.Name, shape, values);
        }
        npz.WriteTo(path);
    }

    /// <summary>Sentences longer than the sequence length are left out (as a data script would cut them).</summary>
    private static EncodedSentences Encode(IReadOnlyList<string> sentences, int sequenceLength) =>
        EncodedSentences.Pad(sentences.Select(ArcticEncoderData.Tokenize).Where(t => t.Count <= sequenceLength).ToList(), sequenceLength);
}

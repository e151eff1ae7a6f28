using System.Globalization;
using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Verification;

/// <summary>
/// TEMPORARY (issue 12, branch h-verify): until the data branch (h-data) merges, <see cref="ModelDataReader.Read"/>,
/// <see cref="GeneratedSamples.For"/> and <see cref="SymbolicDimSizes.From"/> throw <see cref="NotImplementedException"/>
/// and <c>CalibrationDataLoader</c> still returns <see cref="CalibrationDataSet"/>. This file calls the new helpers
/// and falls back to today's single-float-input behaviour while they are skeletons. Delete it once h-data and
/// h-calib are merged: call the helpers directly and pass the loader's SampleSets through.
/// </summary>
internal static class PendingDataBridge
{
    public static SampleSet Read(OptimizationPlan plan, OnnxModel model, string declared, string option, DiagnosticLocation? at)
    {
        try
        {
            return ModelDataReader.Read(plan, model, declared, option, at);
        }
        catch (NotImplementedException)
        {
            var set = VerificationData.ReadTrainingSamples(plan, model, declared, option, at);
            return Stacked(model, set, $"{set.SampleCount} samples from '{declared}'", generated: false);
        }
    }

    public static SampleSet Generate(OnnxModel model, SymbolicDimSizes dims)
    {
        try
        {
            return GeneratedSamples.For(model, dims);
        }
        catch (NotImplementedException)
        {
            return UniformFloats(model);
        }
    }

    public static SymbolicDimSizes Dims(OptimizationPlan plan)
    {
        try
        {
            return SymbolicDimSizes.From(plan);
        }
        catch (NotImplementedException)
        {
            return SymbolicDimSizes.None;
        }
    }

    /// <summary>The calibration loader's float sets as SampleSets of the model's single input (until it returns SampleSets itself).</summary>
    public static IReadOnlyDictionary<string, SampleSet> AsSampleSets(this IReadOnlyDictionary<string, CalibrationDataSet> calibration, OnnxModel model) =>
        calibration.ToDictionary(c => c.Key, c => Stacked(model, c.Value, $"{c.Value.SampleCount} samples from '{c.Key}'", generated: false), StringComparer.Ordinal);

    private static SampleSet Stacked(OnnxModel model, CalibrationDataSet set, string source, bool generated) =>
        new StackedSamples([new StackedInput(model.Graph.Inputs[0].Name, DataTensor.FromFloats(set.Values, set.Shape), false)], SymbolicBatch(model))
        {
            Source = source,
            IsGenerated = generated,
        };

    /// <summary>Today's generated inputs: 32 float32 samples uniform in [0, 1), symbolic dims after the first set to 1.</summary>
    private static SampleSet UniformFloats(OnnxModel model)
    {
        const int Count = GeneratedSamples.DefaultCount;
        var random = new Random(GeneratedSamples.Seed);
        var inputs = new List<StackedInput>();
        foreach (var input in model.Graph.Inputs)
        {
            if (input.Type is not { Kind: ValueKind.Tensor, ElementType: TensorElementType.Float, Shape: { } shape })
                throw new VerificationException($"input '{input.Name}' is {input.Type?.ToString() ?? "untyped"}; no inputs can be generated for it until the data helpers merge. Declare Validation data in [AccuracyBudget].");
            long[] sampleShape = [Count, .. shape.Skip(1).Select(d => d.Size is { } size and > 0 ? size : 1L)];
            var values = new float[sampleShape.Aggregate(1L, (a, d) => a * d)];
            for (var i = 0; i < values.Length; i++)
                values[i] = (float)random.NextDouble();
            inputs.Add(new StackedInput(input.Name, DataTensor.FromFloats(values, sampleShape), false));
        }

        return new StackedSamples(inputs, SymbolicBatch(model))
        {
            Source = string.Create(CultureInfo.InvariantCulture, $"{Count} generated samples (uniform [0, 1), seed {GeneratedSamples.Seed}; no data declared)"),
            IsGenerated = true,
        };
    }

    private static bool SymbolicBatch(OnnxModel model) =>
        model.Graph.Inputs.All(i => i.Type?.Shape is not { Count: > 0 } shape || shape[0].Size is not > 0);
}

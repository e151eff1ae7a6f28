using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Data;
using Optimizer.Runtime;

namespace Optimizer.Engine.Verification;

/// <summary>The samples both models are run on (any signature), optional labels (one per sample), and where they came from.</summary>
internal sealed record VerificationInputs(SampleSet Samples, int[]? Labels, string Source)
{
    public int SampleCount => Samples.SampleCount;

    /// <summary>The samples were generated (no data declared): figures from them are estimates.</summary>
    public bool IsGenerated => Samples.IsGenerated;

    /// <summary>
    /// True when a model that fails on these inputs cannot run at all: they are the user's data, or
    /// generated with exactly the declared shapes (no symbolic dimension after the first set to a default).
    /// </summary>
    public bool Conclusive { get; init; } = true;
}

/// <summary>
/// Finds the data to verify on, in order: the <c>Validation</c> option (and <c>Labels</c>) read by
/// <see cref="ModelDataReader"/> (.npz, a test_data_set folder, .npy/raw for one input), the first
/// calibration data set the plan declares, or <see cref="GeneratedSamples"/> with the plan's symbolic dims.
/// </summary>
internal static partial class VerificationData
{
    /// <param name="dims">Sizes of symbolic dims for generated inputs (the plan's [SymbolicDims], or the CLI's --dim).</param>
    public static VerificationInputs Load(OptimizationPlan plan, OnnxModel model, AccuracyBudgetSettings? budget,
        IReadOnlyDictionary<string, SampleSet> calibration, SymbolicDimSizes dims)
    {
        if (budget?.Validation is { } validation)
        {
            var set = ModelDataReader.Read(plan, model, validation, nameof(AccuracyBudgetAttribute.Validation), budget.DeclaredAt);
            var labels = budget.Labels is { } labelFile ? ReadLabels(plan, labelFile, budget.DeclaredAt) : null;
            if (labels is not null && labels.Length != set.SampleCount)
            {
                throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                    $"The labels file '{budget.Labels}' holds {labels.Length} labels but the validation file '{validation}' holds {set.SampleCount} samples. Give one label per sample.",
                    budget.DeclaredAt);
            }

            return new VerificationInputs(set, labels, $"{set.SampleCount} validation samples{(labels is null ? " (no labels)" : "")}");
        }

        if (budget?.Labels is not null)
        {
            throw new EngineException(EngineErrorCodes.AccuracyBudgetInvalid,
                $"[AccuracyBudget] names Labels '{budget.Labels}' but no Validation inputs they label. Set Validation to the matching inputs.",
                budget.DeclaredAt);
        }

        var calibrationSet = calibration.OrderBy(c => c.Key, StringComparer.Ordinal).FirstOrDefault().Value;
        if (calibrationSet is { SampleCount: > 0 })
            return new VerificationInputs(calibrationSet, null, $"{calibrationSet.SampleCount} calibration samples (no Validation data)");

        var generated = GeneratedSamples.For(model, dims);
        return new VerificationInputs(generated, null, generated.Source)
        {
            Conclusive = model.Graph.Inputs.All(i => i.Type?.Shape is { } shape && shape.Skip(1).All(d => d.Size is > 0)),
        };
    }
}

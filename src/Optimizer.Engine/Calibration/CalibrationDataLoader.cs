using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Passes.Schema;

namespace Optimizer.Engine.Calibration;

/// <summary>
/// Reads the calibration data a plan names (the <c>Calibration</c> option) so the passes, which
/// read no files, get them as sample sets keyed by the path as declared: any data set
/// <see cref="ModelDataReader"/> reads (.npz, test_data_set folders, .npy or raw float32).
/// </summary>
internal static class CalibrationDataLoader
{
    public const string OptionName = nameof(Optimizer.Runtime.QuantizeAttribute.Calibration);

    public static IReadOnlyDictionary<string, SampleSet> Load(OptimizationPlan plan, OnnxModel model)
    {
        var data = new Dictionary<string, SampleSet>(StringComparer.Ordinal);
        foreach (var pass in plan.Passes)
        {
            if (!pass.Options.TryGetValue(OptionName, out var declared) || data.ContainsKey(declared)) continue;
            data[declared] = ModelDataReader.Read(plan, model, declared, OptionName, pass.DeclaredAt);
        }
        return data;
    }

    /// <summary>
    /// TEMPORARY, until PassContext.CalibrationData takes SampleSet (the calibration branch): the
    /// single float input's samples as the passes read them today. Delete with its one caller.
    /// </summary>
    public static IReadOnlyDictionary<string, CalibrationDataSet> LoadFloatSets(OptimizationPlan plan, OnnxModel model) =>
        Load(plan, model).ToDictionary(d => d.Key, d => d.Value is StackedSamples { Inputs: [{ RowIsWholeInput: false } input] } && input.Values.ToFloats() is { } values
            ? new CalibrationDataSet(values, input.Values.Shape)
            : throw new PassException(PassErrorCodes.CalibrationShapeMismatch,
                $"Calibration data '{d.Key}' feeds {d.Value.InputNames.Count} inputs; this build calibrates models with one float32 input only.", PassSchema.Quantize.Name), StringComparer.Ordinal);
}

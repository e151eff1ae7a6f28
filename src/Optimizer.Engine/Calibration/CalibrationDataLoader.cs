using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Data;

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
}

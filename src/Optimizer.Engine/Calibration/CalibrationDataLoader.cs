using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Calibration;

/// <summary>
/// Reads the calibration files a plan names (the <c>Calibration</c> option) so the passes, which
/// read no files, get them as sample sets keyed by the path as declared. <c>.npy</c> files carry
/// their own shape; any other file is raw little-endian float32 read as samples of the model
/// input's size (the input's dimensions after the first, which must be fixed). Files are
/// opened and checked by <see cref="DataFile"/>. Until the data reader (ModelDataReader) replaces
/// this, the samples are wrapped for the model's single float input (<see cref="FloatInputSamples"/>).
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
            var samples = DataFile.ReadSamples(plan, declared, OptionName, pass.DeclaredAt,
                byteCount => RawShape(model, byteCount, declared, pass));
            data[declared] = FloatInputSamples.From(model, samples, $"{samples.SampleCount} samples from '{declared}'", pass.Pass);
        }
        return data;
    }

    private static long[] RawShape(OnnxModel model, long byteCount, string declared, PlannedPass pass)
    {
        var inputs = model.Graph.Inputs;
        var dims = inputs.Count == 1 ? inputs[0].Type?.Shape : null;
        if (dims is null || dims.Count < 2 || dims.Skip(1).Any(d => d.Size is null))
        {
            throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                $"'{declared}' is raw float32, whose sample shape is taken from the model's single input, but the input's dimensions after the first are not all fixed. Save the calibration data as .npy (samples first) instead.",
                pass.DeclaredAt);
        }

        var sample = dims.Skip(1).Aggregate(1L, (product, d) => product * d.Size!.Value);
        var values = byteCount / sizeof(float);
        if (byteCount % sizeof(float) != 0 || values % sample != 0)
        {
            throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                $"'{declared}' holds {byteCount} bytes, which is not a whole number of float32 samples of {sample} values (the model input's size). Check the file, or save it as .npy.",
                pass.DeclaredAt);
        }
        return [values / sample, .. dims.Skip(1).Select(d => d.Size!.Value)];
    }
}

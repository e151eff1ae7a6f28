using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;

namespace Optimizer.Engine.Verification;

// Today's single-float-input reader (.npy, or raw float32 shaped like the model's one input), still
// what [FineTune] reads (Training/TrainingDataFiles.cs) and what verification falls back to until
// the data branch's ModelDataReader replaces it (PendingDataBridge).
internal static partial class VerificationData
{
    private static CalibrationDataSet ReadSamples(OptimizationPlan plan, OnnxModel model, string declared, string option, DiagnosticLocation? at)
    {
        var inputs = model.Graph.Inputs;
        if (inputs.Count != 1)
        {
            throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                $"{option} data is read as the model's single input, but the model has {inputs.Count} inputs.", at);
        }

        return DataFile.ReadSamples(plan, declared, option, at, byteCount => RawShape(model, byteCount, declared, option, at));
    }

    private static long[] RawShape(OnnxModel model, long byteCount, string declared, string option, DiagnosticLocation? at)
    {
        var dims = model.Graph.Inputs[0].Type?.Shape;
        if (dims is null || dims.Count < 2 || dims.Skip(1).Any(d => d.Size is null))
        {
            throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                $"'{declared}' is raw float32, whose sample shape is taken from the model's single input, but the input's dimensions after the first are not all fixed. Save the {option} data as .npy (samples first) instead.", at);
        }

        var sample = dims.Skip(1).Aggregate(1L, (product, d) => product * d.Size!.Value);
        var values = byteCount / sizeof(float);
        if (sample <= 0 || byteCount % sizeof(float) != 0 || values % sample != 0)
        {
            throw new EngineException(EngineErrorCodes.DataFileUnsupported,
                $"'{declared}' holds {byteCount} bytes, which is not a whole number of float32 samples of {sample} values (the model input's size). Check the file, or save it as .npy.", at);
        }

        return [values / sample, .. dims.Skip(1).Select(d => d.Size!.Value)];
    }
}

using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>Runs a model in ONNX Runtime (CPU, one thread) on inputs of any element type; every output comes back as raw little-endian bytes.</summary>
internal static class OrtRunner
{
    public static byte[][] Run(OnnxModel model, IReadOnlyList<OnnxTensor> inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(model), options);
        var values = inputs.Select(Value).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, model.Graph.Inputs.Select(i => i.Name).ToArray(), values, session.OutputNames);
            return outputs.Select(o => o.GetTensorMutableRawData().ToArray()).ToArray();
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }

    private static OrtValue Value(OnnxTensor t)
    {
        var shape = t.Dims.ToArray();
        return t.ElementType switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(t.ToFloatArray(), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(t.ToInt64Array(), shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(t.ToInt32Array(), shape),
            TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(t.ToRawBytes().Select(b => b != 0).ToArray(), shape),
            _ => throw new ArgumentException($"input of type {t.ElementType}"),
        };
    }
}

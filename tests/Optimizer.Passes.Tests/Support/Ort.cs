using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;

namespace Optimizer.Passes.Tests.Support;

/// <summary>Runs a model's first output in ONNX Runtime's CPU provider with default optimizations.</summary>
internal static class Ort
{
    public static float[] Run(OnnxModel model, params (string Name, float[] Data, long[] Shape)[] inputs)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(model), options);
        var values = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, i.Shape)).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, [session.OutputNames[0]]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }
}

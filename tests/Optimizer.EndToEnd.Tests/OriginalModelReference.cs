using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Optimizer.EndToEnd.Tests;

/// <summary>Runs an original (unoptimized) model directly with ONNX Runtime: the reference.</summary>
internal static class OriginalModelReference
{
    public static float[] RunSingleInput(string modelPath, float[] data, int[] shape)
    {
        using var session = new InferenceSession(modelPath);
        var inputName = session.InputMetadata.Keys.Single();
        using var results = session.Run(new[]
        {
            NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(data, shape)),
        });
        return results.First().AsEnumerable<float>().ToArray();
    }
}

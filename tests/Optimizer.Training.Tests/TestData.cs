using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;

namespace Optimizer.Training.Tests;

/// <summary>Paths into ../shared and small helpers shared by the tests.</summary>
internal static class TestData
{
    // For tests marked [ConditionalFact] with the folder: they are reported as skipped where it is absent.
    public static string Models => RepositoryLayout.RequiredShared("data/models");
    public static string Digits => RepositoryLayout.RequiredShared("data/digits");
    public static string PytorchConverted => RepositoryLayout.RequiredShared("onnx-conformance/pytorch-converted");

    public static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * 4);
        return values;
    }

    /// <summary>Runs <paramref name="model"/> in ONNX Runtime on one float input; returns every output.</summary>
    public static List<(string Name, float[] Values, int[] Shape)> RunOrt(OnnxModel model, string input, float[] values, int[] shape)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(model), options);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(values, shape))]);
        return results.Select(r => (r.Name, r.AsTensor<float>().ToArray(), r.AsTensor<float>().Dimensions.ToArray())).ToList();
    }

    /// <summary>Uniform values in [-1, 1) from a fixed seed.</summary>
    public static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}

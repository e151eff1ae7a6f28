using Optimizer.Onnx;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>What the tests that build a model node by node share: a float tensor's value info and deterministic values in [-1, 1).</summary>
internal static class SmallModels
{
    public static ValueInfo Tensor(string name, params Dim[] dims) => new(name, ValueTypeInfo.Tensor(TensorElementType.Float, dims));

    public static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}

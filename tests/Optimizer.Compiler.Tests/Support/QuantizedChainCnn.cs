using Optimizer.Onnx;
using Optimizer.Passes.Calibration;

using static Optimizer.Compiler.Tests.Support.SmallModels;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>
/// A small CNN shaped like the wake-word embedding model, at odd sizes: Conv 3×3 (3 → 20 channels,
/// 9×11, so the second 16-column panel is partial and 99 pixels leave a ragged row block) →
/// LeakyRelu(0.2) → Max(x, −0.05) → MaxPool 2×2/2 → Conv 1×3 (20 → 5) → LeakyRelu; statically
/// quantized by our pass, which leaves DequantizeLinear → LeakyRelu → Max → MaxPool → QuantizeLinear
/// between the convolutions.
/// </summary>
internal static class QuantizedChainCnn
{
    public const string Key = "chain_cnn#static-int8";

    public static readonly long[] Sample = [3, 9, 11];

    public static OnnxModel Quantized() =>
        StaticInt8.Quantize(Float(), new CalibrationDataSet(Values(32 * 3 * 9 * 11, 5), [32, .. Sample]), "32 random samples");

    public static OnnxModel Float()
    {
        var graph = new OnnxGraph("chain_cnn");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(3), Dim.Fixed(9), Dim.Fixed(11)));
        graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(5), Dim.Fixed(4), Dim.Fixed(5)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W1", [20, 3, 3, 3], Values(20 * 27, 1)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B1", [20], Values(20, 2)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W2", [5, 20, 1, 3], Values(5 * 60, 3)));
        graph.Initializers.Add(OnnxTensor.FromFloats("floor", [], [-0.05f]));
        var conv1 = new OnnxNode("Conv", ["x", "W1", "B1"], ["c1"], "conv1");
        conv1.SetAttribute(OnnxAttribute.FromInts("pads", [1, 1, 1, 1]));
        var leaky1 = new OnnxNode("LeakyRelu", ["c1"], ["l1"], "leaky1");
        leaky1.SetAttribute(OnnxAttribute.FromFloat("alpha", 0.2f));
        var max = new OnnxNode("Max", ["l1", "floor"], ["m1"], "max1");
        var pool = new OnnxNode("MaxPool", ["m1"], ["p1"], "pool1");
        pool.SetAttribute(OnnxAttribute.FromInts("kernel_shape", [2, 2]));
        pool.SetAttribute(OnnxAttribute.FromInts("strides", [2, 2]));
        var conv2 = new OnnxNode("Conv", ["p1", "W2"], ["c2"], "conv2");
        conv2.SetAttribute(OnnxAttribute.FromInts("pads", [0, 1, 0, 1]));
        var leaky2 = new OnnxNode("LeakyRelu", ["c2"], ["y"], "leaky2");
        leaky2.SetAttribute(OnnxAttribute.FromFloat("alpha", 0.2f));
        foreach (var node in new[] { conv1, leaky1, max, pool, conv2, leaky2 })
        {
            graph.Nodes.Add(node);
        }

        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Calibration;

using static Optimizer.Compiler.Tests.Support.SmallModels;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>
/// A small MobileNet-style CNN at odd sizes, statically quantized by our pass: depthwise 3×3 with stride (2, 1) and pads 1
/// on the input's 3 channels (11 × 13) → Conv 1×1 (3 → 8) → Relu → depthwise 5×5 with stride (1, 2) and pads 2 → Conv 1×1 (8 → 5),
/// the depthwise strides and kernels of the PaddleOCR models.
/// </summary>
internal static class QuantizedDepthwiseCnn
{
    public static readonly long[] Sample = [3, 11, 13];

    public static OnnxModel Quantized() =>
        StaticInt8.Quantize(Float(), new CalibrationDataSet(Values(32 * 3 * 11 * 13, 5).Select(v => v * 4).ToArray(), [32, .. Sample]), "32 random samples");

    public static OnnxModel Float()
    {
        var graph = new OnnxGraph("depthwise_cnn");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(3), Dim.Fixed(11), Dim.Fixed(13)));
        graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(5), Dim.Fixed(6), Dim.Fixed(7)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W1", [3, 1, 3, 3], Values(3 * 9, 1)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B1", [3], Values(3, 2)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W2", [8, 3, 1, 1], Values(8 * 3, 3)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W3", [8, 1, 5, 5], Values(8 * 25, 4)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B3", [8], Values(8, 6)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W4", [5, 8, 1, 1], Values(5 * 8, 7)));
        graph.Nodes.Add(Depthwise("x", "W1", "B1", "d1", 3, [2, 1], 1));
        graph.Nodes.Add(new OnnxNode("Conv", ["d1", "W2"], ["c2"], "conv2"));
        graph.Nodes.Add(new OnnxNode("Relu", ["c2"], ["r2"], "relu2"));
        graph.Nodes.Add(Depthwise("r2", "W3", "B3", "d3", 8, [1, 2], 2));
        graph.Nodes.Add(new OnnxNode("Conv", ["d3", "W4"], ["y"], "conv4"));
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }

    private static OnnxNode Depthwise(string x, string w, string b, string y, int channels, long[] strides, int pad)
    {
        var node = new OnnxNode("Conv", [x, w, b], [y], y);
        node.SetAttribute(OnnxAttribute.FromInt("group", channels));
        node.SetAttribute(OnnxAttribute.FromInts("strides", strides));
        node.SetAttribute(OnnxAttribute.FromInts("pads", [pad, pad, pad, pad]));
        return node;
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Calibration;

using static Optimizer.Compiler.Tests.Support.SmallModels;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>
/// A small CNN shaped like the PaddleOCR classifier's blocks, at odd sizes: Conv 3×3 (3 → 12
/// channels, 7×9) → hard-swish written out as PaddlePaddle exports it (x · Clip(x + 3, 0, 6) / 6)
/// → Conv 1×1 (12 → 5) → HardSigmoid; statically quantized by our pass, which puts a Q → DQ pair
/// after the Add, the Clip, the Mul and the Div, so x reaches the Mul by two paths.
/// </summary>
internal static class QuantizedHardSwishCnn
{
    public static readonly long[] Sample = [3, 7, 9];

    public static OnnxModel Quantized() =>
        StaticInt8.Quantize(Float(), new CalibrationDataSet(Values(32 * 3 * 7 * 9, 5).Select(v => v * 4).ToArray(), [32, .. Sample]), "32 random samples");

    public static OnnxModel Float()
    {
        var graph = new OnnxGraph("hardswish_cnn");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(3), Dim.Fixed(7), Dim.Fixed(9)));
        graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(5), Dim.Fixed(7), Dim.Fixed(9)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W1", [12, 3, 3, 3], Values(12 * 27, 1)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B1", [12], Values(12, 2)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W2", [5, 12, 1, 1], Values(5 * 12, 3)));
        graph.Initializers.Add(OnnxTensor.FromFloats("three", [1], [3f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("zero", [], [0f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("six", [], [6f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("six_d", [1], [6f]));
        var conv1 = new OnnxNode("Conv", ["x", "W1", "B1"], ["c1"], "conv1");
        conv1.SetAttribute(OnnxAttribute.FromInts("pads", [1, 1, 1, 1]));
        var conv2 = new OnnxNode("Conv", ["h", "W2"], ["c2"], "conv2");
        var sigmoid = new OnnxNode("HardSigmoid", ["c2"], ["y"], "hardsigmoid");
        sigmoid.SetAttribute(OnnxAttribute.FromFloat("alpha", 0.1666667f));
        foreach (var node in new[]
        {
            conv1,
            new OnnxNode("Add", ["c1", "three"], ["a"], "add"),
            new OnnxNode("Clip", ["a", "zero", "six"], ["r"], "clip"),
            new OnnxNode("Mul", ["c1", "r"], ["m"], "mul"),
            new OnnxNode("Div", ["m", "six_d"], ["h"], "div"),
            conv2,
            sigmoid,
        })
        {
            graph.Nodes.Add(node);
        }

        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Calibration;

using static Optimizer.Compiler.Tests.Support.SmallModels;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>
/// A MobileNetV3 block as the PaddleOCR classifier has it, at odd sizes: Conv 3×3 (3 → 8 channels, 9×13) → Relu = r; the
/// squeeze-excite gate GlobalAveragePool(r) → Conv 1×1 (8 → 4) → Relu → Conv 1×1 (4 → 8) → HardSigmoid = s, r · s (s one
/// value per channel); Conv 1×1 (8 → 8) of that plus it (the residual Add) → Conv 1×1 (8 → 5). Statically quantized by
/// our pass, which puts a Q → DQ pair after the pool, the gate, the Mul and the Add.
/// </summary>
internal static class QuantizedSqueezeExciteCnn
{
    public static readonly long[] Sample = [3, 9, 13];

    public static OnnxModel Quantized() =>
        StaticInt8.Quantize(Float(), new CalibrationDataSet(Values(32 * 3 * 9 * 13, 5).Select(v => v * 4).ToArray(), [32, .. Sample]), "32 random samples");

    public static OnnxModel Float()
    {
        var graph = new OnnxGraph("squeeze_excite_cnn");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(3), Dim.Fixed(9), Dim.Fixed(13)));
        graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(5), Dim.Fixed(9), Dim.Fixed(13)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W1", [8, 3, 3, 3], Values(8 * 27, 1)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B1", [8], Values(8, 2)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W2", [4, 8, 1, 1], Values(4 * 8, 3)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B2", [4], Values(4, 4)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W3", [8, 4, 1, 1], Values(8 * 4, 6)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B3", [8], Values(8, 7)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W4", [8, 8, 1, 1], Values(8 * 8, 8)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W5", [5, 8, 1, 1], Values(5 * 8, 9)));
        var conv1 = new OnnxNode("Conv", ["x", "W1", "B1"], ["c1"], "conv1");
        conv1.SetAttribute(OnnxAttribute.FromInts("pads", [1, 1, 1, 1]));
        var gate = new OnnxNode("HardSigmoid", ["e2"], ["s"], "gate");
        gate.SetAttribute(OnnxAttribute.FromFloat("alpha", 0.1666667f));
        foreach (var node in new[]
        {
            conv1,
            new OnnxNode("Relu", ["c1"], ["r"], "relu1"),
            new OnnxNode("GlobalAveragePool", ["r"], ["g"], "squeeze"),
            new OnnxNode("Conv", ["g", "W2", "B2"], ["e1"], "excite1"),
            new OnnxNode("Relu", ["e1"], ["e1r"], "excite_relu"),
            new OnnxNode("Conv", ["e1r", "W3", "B3"], ["e2"], "excite2"),
            gate,
            new OnnxNode("Mul", ["r", "s"], ["m"], "scale"),
            new OnnxNode("Conv", ["m", "W4"], ["c4"], "conv4"),
            new OnnxNode("Add", ["c4", "m"], ["res"], "residual"),
            new OnnxNode("Conv", ["res", "W5"], ["y"], "conv5"),
        })
        {
            graph.Nodes.Add(node);
        }

        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }
}

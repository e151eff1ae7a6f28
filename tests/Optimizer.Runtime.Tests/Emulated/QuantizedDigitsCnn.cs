using Optimizer.Onnx;

namespace Optimizer.Runtime.Tests.Emulated;

/// <summary>
/// The digits CNN's shape in the QDQ form of our static INT8 pass, written by hand (this project
/// does not reference the pass): Quantize → Conv 3×3 (1 → 16) → MaxPool 2×2 → Conv 3×3 (16 → 32)
/// → MaxPool 2×2 → Flatten → Gemm (128 → 10, float logits), each Conv/Gemm/Flatten after a DequantizeLinear
/// (the convolutions and pools before a QuantizeLinear) so the compiler fuses them into QConv (the pools in its epilogue) and QGemm.
/// Weights within the pair-sum bound every int8 path shares (|w| ≤ 63).
/// </summary>
internal static class QuantizedDigitsCnn
{
    public static OnnxModel Model()
    {
        var graph = new OnnxGraph("quantized_digits_cnn");
        graph.DeclaredInputs.Add(new ValueInfo("input", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(1), Dim.Fixed(8), Dim.Fixed(8)])));
        graph.Outputs.Add(new ValueInfo("logits", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(10)])));
        var random = new Random(8);
        var nodes = new List<OnnxNode>();

        // Pixels 0–16 onto 0–255; each later tensor on a grid wide enough for its sums.
        var x = Requantized(graph, nodes, "input", "x", 16f / 255, 0);
        var c1 = Weighted(graph, nodes, random, "Conv", x, "conv1", [16, 1, 3, 3], 0.01f, 0.05f);
        var p1 = Pooled(graph, nodes, c1, "pool1", 0.05f);
        var c2 = Weighted(graph, nodes, random, "Conv", p1, "conv2", [32, 16, 3, 3], 0.002f, 0.04f);
        var p2 = Pooled(graph, nodes, c2, "pool2", 0.04f);
        var flat = new OnnxNode("Flatten", [p2], ["flat"], "flatten");
        nodes.Add(flat);
        var flatBytes = Requantized(graph, nodes, "flat", "flat_out", 0.04f, 128);
        Weighted(graph, nodes, random, "Gemm", flatBytes, "gemm", [10, 128], 0.01f, null);
        nodes.ForEach(graph.Nodes.Add);
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }

    /// <summary>Q then DQ of <paramref name="input"/> at (scale, zero): returns the DequantizeLinear's output.</summary>
    private static string Requantized(OnnxGraph graph, List<OnnxNode> nodes, string input, string name, float scale, byte zero)
    {
        graph.Initializers.Add(OnnxTensor.FromFloats(name + "_scale", [], [scale]));
        graph.Initializers.Add(OnnxTensor.FromUInt8s(name + "_zero", [], [zero]));
        nodes.Add(new OnnxNode("QuantizeLinear", [input, name + "_scale", name + "_zero"], [name + "_q"], name + "_quantize"));
        nodes.Add(new OnnxNode("DequantizeLinear", [name + "_q", name + "_scale", name + "_zero"], [name + "_dq"], name + "_dequantize"));
        return name + "_dq";
    }

    /// <summary>A Conv (pad 1) or Gemm (transB) of int8 weights per output channel and a float bias; requantized at <paramref name="outputScale"/> (zero 128) unless null.</summary>
    private static string Weighted(OnnxGraph graph, List<OnnxNode> nodes, Random random, string op, string input, string name, long[] dims, float weightScale, float? outputScale)
    {
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        graph.Initializers.Add(OnnxTensor.FromInt8s(name + "_w", dims, Enumerable.Range(0, count).Select(_ => (sbyte)random.Next(-63, 64)).ToArray()));
        graph.Initializers.Add(OnnxTensor.FromFloats(name + "_w_scale", [dims[0]], Enumerable.Range(0, (int)dims[0]).Select(i => weightScale * (1 + i % 3)).ToArray()));
        graph.Initializers.Add(OnnxTensor.FromInt8s(name + "_w_zero", [dims[0]], new sbyte[dims[0]]));
        graph.Initializers.Add(OnnxTensor.FromFloats(name + "_b", [dims[0]], Enumerable.Range(0, (int)dims[0]).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()));
        var weightDq = new OnnxNode("DequantizeLinear", [name + "_w", name + "_w_scale", name + "_w_zero"], [name + "_w_dq"], name + "_w_dequantize");
        weightDq.SetAttribute(OnnxAttribute.FromInt("axis", 0));
        nodes.Add(weightDq);
        var output = outputScale is null ? "logits" : name + "_y";
        var node = new OnnxNode(op, [input, name + "_w_dq", name + "_b"], [output], name);
        node.SetAttribute(op == "Conv" ? OnnxAttribute.FromInts("pads", [1, 1, 1, 1]) : OnnxAttribute.FromInt("transB", 1));
        nodes.Add(node);
        return outputScale is { } scale ? Requantized(graph, nodes, output, name + "_out", scale, 128) : output;
    }

    /// <summary>MaxPool 2×2/2 of the dequantized bytes, quantized again at the same grid (the compiler runs it on the bytes).</summary>
    private static string Pooled(OnnxGraph graph, List<OnnxNode> nodes, string input, string name, float scale)
    {
        var pool = new OnnxNode("MaxPool", [input], [name], name);
        pool.SetAttribute(OnnxAttribute.FromInts("kernel_shape", [2, 2]));
        pool.SetAttribute(OnnxAttribute.FromInts("strides", [2, 2]));
        nodes.Add(pool);
        return Requantized(graph, nodes, name, name + "_out", scale, 128);
    }
}

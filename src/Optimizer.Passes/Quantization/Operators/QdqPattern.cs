// Reading the QDQ form QdqRewriter writes, for the QOperator writers: the DequantizeLinear behind
// an input, the QuantizeLinear that alone reads an output, and the int32 bias initializer.

using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization.Operators;

/// <summary>The Q/DQ nodes around one node of a QDQ graph.</summary>
internal static class QdqPattern
{
    /// <summary>A DequantizeLinear's (quantized, scale, zero point) when <paramref name="value"/> is its output; zero point "" when omitted.</summary>
    public static (string Q, string Scale, string ZeroPoint)? Dequantized(OnnxGraph graph, string value, bool scalarScale)
    {
        if (graph.FindProducer(value) is not { OpType: "DequantizeLinear", IsDefaultDomain: true } dq || dq.Inputs.Count < 2)
        {
            return null;
        }

        if (scalarScale && graph.FindInitializer(dq.Inputs[1]) is not { Dims.Count: 0 })
        {
            return null;
        }

        return (dq.Inputs[0], dq.Inputs[1], dq.Inputs.Count > 2 ? dq.Inputs[2] : "");
    }

    /// <summary>The QuantizeLinear that is the only reader of <paramref name="node"/>'s single output, with a scalar scale and a zero point.</summary>
    public static OnnxNode? QuantizedOutput(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (node.Outputs.Count != 1 || outputs.Contains(node.Outputs[0]) || graph.FindConsumers(node.Outputs[0]) is not [{ OpType: "QuantizeLinear", IsDefaultDomain: true } q]
            || q.Inputs.Count != 3 || graph.FindInitializer(q.Inputs[1]) is not { Dims.Count: 0 } || q.Inputs[0] != node.Outputs[0])
        {
            return null;
        }

        return q;
    }

    public static bool IsInitializer(OnnxGraph graph, string name, TensorElementType type) => graph.FindConstant(name) is { } t && t.ElementType == type;

    /// <summary>The int32 initializer behind a bias DequantizeLinear (its scale is implied by the QLinear op).</summary>
    public static string? Bias(OnnxGraph graph, string value) =>
        Dequantized(graph, value, false) is { } b && IsInitializer(graph, b.Q, TensorElementType.Int32) ? b.Q : null;
}

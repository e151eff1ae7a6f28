// ONNX Runtime's QDQ rule for Conv/Gemm/MatMul + Relu (or Clip from 0): the activation is not
// kept as a node; the producer's output is quantized over the activation's output range, whose
// low end is 0 (uint8 zero point 0, or int8 zero point -128), so saturation does the clamping.
// This is what lets ORT fuse Conv+Relu into one QLinearConv instead of DQ → Relu → Q.
// The same holds for every producer whose quantized kernel writes its own 8-bit output with its
// own scale: Add/Mul (QLinearAdd/QLinearMul) and AveragePool/GlobalAveragePool. Without folding,
// the producer's output and the Relu's output get different calibrated ranges; ORT then drops
// the Relu (its Q has zero point qmin) but keeps a DequantizeLinear → QuantizeLinear requantize
// through fp32 between them (the ResNet-block Add+Relu case). Not folded: data movement
// (MaxPool, Reshape, …) and Concat, whose output shares its input's range (a folded clamp would
// be lost in the union), so a Relu there stays a node. Operators/QuantizedOps.cs declares which
// ops absorb an activation (QuantizedOp.AbsorbsActivation).

using Optimizer.Onnx;
using Optimizer.Passes.Quantization.Operators;

namespace Optimizer.Passes.Quantization;

/// <summary>Removes Relu/Clip(min 0) nodes that directly follow an op that absorbs them (<see cref="QuantizedOp.AbsorbsActivation"/>).</summary>
internal static class ActivationFolding
{

    /// <summary>Folds in place; returns each folded activation with its producer, which now outputs the activation's output.</summary>
    public static List<(OnnxNode Activation, OnnxNode Producer)> Fold(OnnxGraph graph)
    {
        var folded = new List<(OnnxNode, OnnxNode)>();
        foreach (var activation in graph.Nodes.Where(n => IsFoldable(graph, n)).ToList())
        {
            var producer = graph.FindProducer(activation.Inputs[0])!;
            if (QuantizedOps.Find(producer) is not { AbsorbsActivation: true } || producer.Outputs.Count != 1 || graph.FindConsumers(activation.Inputs[0]).Count != 1
                || graph.IsUsedOutsideExplicitInputs(activation.Inputs[0]))
            {
                continue;
            }

            producer.Outputs[0] = activation.Outputs[0];
            graph.Nodes.Remove(activation);
            folded.Add((activation, producer));
        }

        return folded;
    }

    /// <summary>Puts an activation back after a producer that ends up not quantized (its clamp would otherwise be lost).</summary>
    public static void Unfold(OnnxGraph graph, OnnxNode activation, OnnxNode producer)
    {
        producer.Outputs[0] = activation.Inputs[0];
        graph.Nodes.Insert(graph.Nodes.IndexOf(producer) + 1, activation);
    }

    private static bool IsFoldable(OnnxGraph graph, OnnxNode node)
    {
        if (!node.IsDefaultDomain || node.Inputs.Count == 0 || graph.FindProducer(node.Inputs[0]) is null)
        {
            return false;
        }

        if (node.OpType == "Relu")
        {
            return true;
        }

        // Clip's lower bound is an input from opset 11, an attribute before.
        var min = node.Inputs.Count > 1 && node.Inputs[1].Length > 0
            ? graph.FindConstant(node.Inputs[1]) is { ElementType: TensorElementType.Float } t ? t.ToFloatArray().FirstOrDefault(float.NaN) : float.NaN
            : node.FindAttribute("min")?.Float ?? float.NegativeInfinity;
        return node.OpType == "Clip" && min == 0f;
    }
}

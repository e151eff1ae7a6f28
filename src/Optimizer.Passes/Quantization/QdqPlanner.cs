// Which values get a QuantizeLinear → DequantizeLinear pair, following ONNX Runtime's QDQ
// selectors so its CPU provider fuses them into quantized kernels. Which op follows which rule is
// declared once, per op, in Operators/QuantizedOps.cs; this file applies the rules:
// - compute ops (weighted and activation families): every activation input is quantized; ops
//   whose QLinear kernel writes 8-bit (QuantizesOutput: Conv, Add, Mul, Concat, pools) also
//   quantize their output. Gemm/MatMul outputs are quantized only when a consumer reads them
//   quantized; otherwise ORT runs QGemm/MatMulIntegerToFloat with a float output, keeping logits
//   unrounded.
// - data movement (MaxPool, Flatten, Reshape, …): quantized when their input is, with the output
//   sharing the input's range, so ORT drops the DQ/Q pair and moves 8-bit data (MaxPool is
//   order-preserving, so one scale is exact).
// - SharesRange (Concat): one range over its inputs and output (QLinearConcat then just copies).
// - QuantizesConstantOperands (Add/Mul with a per-channel shift or scale, x·0.5, …): the constant
//   is quantized once as an 8-bit initializer, per tensor, of the activation type (QLinearAdd and
//   QLinearMul take one scalar scale per input and the same 8-bit type on both inputs), and read
//   through a DequantizeLinear, so ORT fuses DQ(x), DQ(const) → Add → Q. Its range includes 0, so a
//   scalar constant is exact (it sits on qmin or qmax). Left in float (PlanChecks.Binary): a
//   constant added to a MatMul's output (a bias: the MatMul keeps its float output, see above), an
//   operand that is an overridable initializer (a graph input), and Add/Mul of two constants
//   (clean-up folds them).

using Optimizer.Onnx;
using Optimizer.Passes.Quantization.Operators;

namespace Optimizer.Passes.Quantization;

/// <summary>The values and weights one static quantization will rewrite.</summary>
internal sealed class QdqPlan
{
    /// <summary>Activations to quantize, in graph order.</summary>
    public List<string> Activations { get; } = new();

    /// <summary>Value → the value whose range it must share (data movement, Concat).</summary>
    public Dictionary<string, string> SharedRange { get; } = new();

    /// <summary>Compute nodes whose weights are quantized (the weighted family: Conv, Gemm, MatMul).</summary>
    public List<OnnxNode> WeightedNodes { get; } = new();

    /// <summary>Constant operands of Add/Mul quantized per tensor as 8-bit initializers: (node, input index).</summary>
    public List<(OnnxNode Node, int Index)> ConstantOperands { get; } = new();

    /// <summary>Nodes quantized (for the report).</summary>
    public List<OnnxNode> QuantizedNodes { get; } = new();

    /// <summary>Candidate nodes left in float, with why.</summary>
    public List<PassSkip> Skipped { get; } = new();
}

/// <summary>Builds a <see cref="QdqPlan"/> over a graph whose activations are already folded.</summary>
internal static class QdqPlanner
{
    /// <param name="graph">The graph, activations folded.</param>
    /// <param name="foldedOutputs">Outputs that now carry a folded Relu/Clip: always quantized, since the clamp lives in their range.</param>
    /// <param name="keepFloat">Names of compute nodes to leave in float32 (the KeepFloat option), reported as skipped.</param>
    /// <param name="weightedOnly">The reason to quantize only weighted layers (their activation inputs, not their outputs), or null for every rule.</param>
    public static QdqPlan Plan(OnnxGraph graph, IReadOnlySet<string> foldedOutputs, IReadOnlySet<string>? keepFloat = null, string? weightedOnly = null)
    {
        var plan = new QdqPlan();
        var types = ValueElementTypes.Infer(graph);
        bool IsFloat(string value) => types.GetValueOrDefault(value) == TensorElementType.Float;
        var quantized = new HashSet<string>();
        void Quantize(string value)
        {
            if (quantized.Add(value))
            {
                plan.Activations.Add(value);
            }
        }

        var order = graph.GetTopologicalOrder();
        foreach (var node in order)
        {
            if (QuantizedOps.Find(node) is not { Family: not QuantizedOpFamily.DataMovement } op)
            {
                continue;
            }

            var reason = op.Check(graph, node);
            if (reason is null && !node.Inputs.Where(i => i.Length > 0).Append(node.Outputs[0]).All(IsFloat))
            {
                reason = op.ReportsNonFloat ? $"{node.OpType} on non-float32 values is left as it is" : "";
            }

            if (reason is null && weightedOnly is not null && op.Weight is null)
            {
                reason = weightedOnly;
            }

            if (reason is null && keepFloat?.Contains(NameOf(node)) == true)
            {
                reason = "kept in float32 by KeepFloat (e.g. reverted to hold [AccuracyBudget])";
            }

            if (reason is null)
            {
                AddToPlan(graph, node, op, plan, Quantize, foldedOutputs);
            }
            else if (reason.Length > 0)
            {
                plan.Skipped.Add(new PassSkip(NameOf(node), reason));
            }
        }

        // Data movement follows its input; walk in order so chains (MaxPool → Flatten) propagate.
        foreach (var node in order.Where(n => QuantizedOps.Find(n)?.Family == QuantizedOpFamily.DataMovement))
        {
            if (quantized.Contains(node.Inputs[0]) && IsFloat(node.Outputs[0]))
            {
                Quantize(node.Outputs[0]);
                plan.SharedRange[node.Outputs[0]] = node.Inputs[0];
                plan.QuantizedNodes.Add(node);
            }
        }

        return plan;
    }

    /// <summary>The KeepFloat option: node names separated by ';' or ','.</summary>
    public static IReadOnlySet<string> ParseKeepFloat(string? option) =>
        (option ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    public static string NameOf(OnnxNode node) => Pruning.LayerNames.Of(node);

    /// <summary>Records what quantizing one compute node takes: its activations (inputs, then output), weight, constant operands and shared range.</summary>
    private static void AddToPlan(OnnxGraph graph, OnnxNode node, QuantizedOp op, QdqPlan plan, Action<string> quantize, IReadOnlySet<string> foldedOutputs)
    {
        IEnumerable<string> activations = op.FirstInputOnly ? [node.Inputs[0]] : node.Inputs.Where(i => i.Length > 0 && graph.FindConstant(i) is null);
        foreach (var input in activations)
        {
            quantize(input);
        }

        if (op.QuantizesOutput || foldedOutputs.Contains(node.Outputs[0]))
        {
            quantize(node.Outputs[0]);
        }

        if (op.Weight is not null)
        {
            plan.WeightedNodes.Add(node);
        }

        if (op.QuantizesConstantOperands)
        {
            for (var i = 0; i < node.Inputs.Count; i++)
            {
                if (graph.FindConstant(node.Inputs[i]) is not null)
                {
                    plan.ConstantOperands.Add((node, i));
                }
            }
        }

        if (op.SharesRange)
        {
            foreach (var input in node.Inputs)
            {
                plan.SharedRange[input] = node.Outputs[0];
            }
        }

        plan.QuantizedNodes.Add(node);
    }
}

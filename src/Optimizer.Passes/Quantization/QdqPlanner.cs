// Which values get a QuantizeLinear → DequantizeLinear pair, following ONNX Runtime's QDQ
// selectors so its CPU provider fuses them into quantized kernels:
// - compute ops (Conv, Gemm, MatMul, Add, Mul, Concat, AveragePool, GlobalAveragePool): every
//   activation input is quantized; Conv/Add/Mul/Concat/pools also quantize their output (their
//   QLinear kernels produce 8-bit). Gemm/MatMul outputs are quantized only when a consumer reads
//   them quantized; otherwise ORT runs QGemm/MatMulIntegerToFloat with a float output, keeping
//   logits unrounded.
// - data-movement ops (MaxPool, Flatten, Reshape, Transpose, Squeeze, Unsqueeze): quantized when
//   their input is, with the output sharing the input's range, so ORT drops the DQ/Q pair and
//   moves 8-bit data (MaxPool is order-preserving, so one scale is exact).
// - Concat shares one range over its inputs and output (QLinearConcat then just copies).
// - Add/Mul with a constant operand (a per-channel shift or scale, x·0.5, …): the constant is
//   quantized once as an 8-bit initializer, per tensor, of the activation type (QLinearAdd and
//   QLinearMul take one scalar scale per input and the same 8-bit type on both inputs), and read
//   through a DequantizeLinear, so ORT fuses DQ(x), DQ(const) → Add → Q. Its range includes 0, so a
//   scalar constant is exact (it sits on qmin or qmax). Left in float: a constant added to a
//   MatMul's output (a bias: the MatMul keeps its float output, see above), an operand that is an
//   overridable initializer (a graph input), and Add/Mul of two constants (clean-up folds them).

using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>The values and weights one static quantization will rewrite.</summary>
internal sealed class QdqPlan
{
    /// <summary>Activations to quantize, in graph order.</summary>
    public List<string> Activations { get; } = new();

    /// <summary>Value → the value whose range it must share (data movement, Concat).</summary>
    public Dictionary<string, string> SharedRange { get; } = new();

    /// <summary>Compute nodes whose weights are quantized (Conv, Gemm, MatMul).</summary>
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
    private static readonly HashSet<string> DataMovement = ["MaxPool", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze"];
    private static readonly HashSet<string> OutputQuantized = ["Conv", "Add", "Mul", "Concat", "AveragePool", "GlobalAveragePool"];

    /// <param name="graph">The graph, activations folded.</param>
    /// <param name="foldedOutputs">Outputs that now carry a folded Relu/Clip: always quantized, since the clamp lives in their range.</param>
    /// <param name="keepFloat">Names of compute nodes to leave in float32 (the KeepFloat option), reported as skipped.</param>
    public static QdqPlan Plan(OnnxGraph graph, IReadOnlySet<string> foldedOutputs, IReadOnlySet<string>? keepFloat = null)
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
        foreach (var node in order.Where(n => n.IsDefaultDomain))
        {
            var reason = WhyNotCompute(graph, node);
            if (reason is null && !node.Inputs.Where(i => i.Length > 0).Append(node.Outputs[0]).All(IsFloat))
            {
                reason = node.OpType is "Add" or "Mul" or "Concat" ? "" : $"{node.OpType} on non-float32 values is left as it is";
            }

            if (reason is null && keepFloat?.Contains(NameOf(node)) == true)
            {
                reason = "kept in float32 by KeepFloat (e.g. reverted to hold [AccuracyBudget])";
            }

            if (reason is null)
            {
                foreach (var input in ActivationInputs(graph, node))
                {
                    Quantize(input);
                }

                if (OutputQuantized.Contains(node.OpType) || foldedOutputs.Contains(node.Outputs[0]))
                {
                    Quantize(node.Outputs[0]);
                }

                if (node.OpType is "Conv" or "Gemm" or "MatMul")
                {
                    plan.WeightedNodes.Add(node);
                }

                if (node.OpType is "Add" or "Mul")
                {
                    for (var i = 0; i < node.Inputs.Count; i++)
                    {
                        if (graph.FindConstant(node.Inputs[i]) is not null)
                        {
                            plan.ConstantOperands.Add((node, i));
                        }
                    }
                }

                if (node.OpType == "Concat")
                {
                    foreach (var input in node.Inputs)
                    {
                        plan.SharedRange[input] = node.Outputs[0];
                    }
                }

                plan.QuantizedNodes.Add(node);
            }
            else if (reason.Length > 0)
            {
                plan.Skipped.Add(new PassSkip(NameOf(node), reason));
            }
        }

        // Data movement follows its input; walk in order so chains (MaxPool → Flatten) propagate.
        foreach (var node in order.Where(n => n.IsDefaultDomain && DataMovement.Contains(n.OpType)))
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

    public static string NameOf(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault() ?? node.OpType;

    /// <summary>Null when the node is a compute node this pass quantizes; "" when it is no candidate at all; else why not.</summary>
    private static string? WhyNotCompute(OnnxGraph graph, OnnxNode node)
    {
        switch (node.OpType)
        {
            case "Conv":
                return WeightProblem(graph, node.Inputs.ElementAtOrDefault(1), 3, 5) ?? BiasProblem(graph, node, 2);
            case "Gemm":
                if ((node.FindAttribute("transA")?.Int ?? 0) != 0 || (node.FindAttribute("alpha")?.Float ?? 1f) != 1f || (node.FindAttribute("beta")?.Float ?? 1f) != 1f)
                {
                    return "Gemm with transA, alpha ≠ 1 or beta ≠ 1 has no quantized kernel form; left in float";
                }

                return WeightProblem(graph, node.Inputs.ElementAtOrDefault(1), 2, 2) ?? BiasProblem(graph, node, 2);
            case "MatMul":
                return WeightProblem(graph, node.Inputs.ElementAtOrDefault(1), 2, 2);
            case "Add" or "Mul":
                return BinaryProblem(graph, node);
            case "Concat" or "AveragePool" or "GlobalAveragePool":
                return null;
            default:
                return "";
        }
    }

    private static string? BinaryProblem(OnnxGraph graph, OnnxNode node)
    {
        if (node.Inputs.Count != 2 || node.Inputs.Any(i => i.Length == 0))
        {
            return "";
        }

        var constants = node.Inputs.Select(i => graph.FindConstant(i)).ToArray();
        if (constants.All(c => c is not null))
        {
            return ""; // clean-up's constant folding owns this
        }

        if (node.Inputs.FirstOrDefault(i => graph.FindConstant(i) is null && graph.FindInitializer(i) is not null) is { } overridable)
        {
            return $"{node.OpType} operand '{overridable}' is an initializer the caller may override as an input; it cannot be quantized ahead of time";
        }

        var activation = node.Inputs[constants[0] is null ? 0 : 1];
        if (constants.Any(c => c is not null) && node.OpType == "Add" && graph.FindProducer(activation) is { OpType: "MatMul", IsDefaultDomain: true })
        {
            return "Add of a constant to a MatMul's output is its bias: left in float so the MatMul keeps its float (unrounded) output";
        }

        return null;
    }

    private static IEnumerable<string> ActivationInputs(OnnxGraph graph, OnnxNode node) => node.OpType switch
    {
        "Conv" or "Gemm" or "MatMul" or "AveragePool" or "GlobalAveragePool" => [node.Inputs[0]],
        _ => node.Inputs.Where(i => i.Length > 0 && graph.FindConstant(i) is null),
    };

    private static string? WeightProblem(OnnxGraph graph, string? name, int minRank, int maxRank)
    {
        if (name is null || graph.FindConstant(name) is not { } weight)
        {
            return $"weight '{name}' is not a constant; only constant weights are quantized";
        }

        return weight.ElementType == TensorElementType.Float && weight.Dims.Count >= minRank && weight.Dims.Count <= maxRank
            ? null
            : $"weight '{name}' is {weight.ElementType}[{string.Join(",", weight.Dims)}]; only float32 weights of rank {minRank}..{maxRank} are quantized";
    }

    private static string? BiasProblem(OnnxGraph graph, OnnxNode node, int index)
    {
        if (node.Inputs.Count <= index || node.Inputs[index].Length == 0)
        {
            return null;
        }

        return graph.FindConstant(node.Inputs[index]) is { ElementType: TensorElementType.Float, Dims.Count: 1 }
            ? null
            : $"bias '{node.Inputs[index]}' is not a constant float32 vector; an int32 bias cannot be made";
    }
}

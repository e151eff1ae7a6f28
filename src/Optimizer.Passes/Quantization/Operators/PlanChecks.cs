// Why the planner leaves a node in float, for the op families of QuantizedOp (see QdqPlanner's
// header for the rules they implement).

using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization.Operators;

/// <summary>The op-specific checks <see cref="QuantizedOp.Check"/> runs: null when quantized, "" when no candidate, else why not.</summary>
internal static class PlanChecks
{
    /// <summary>The weight must be a constant float32 tensor of a rank the op's integer form takes.</summary>
    public static string? Weight(OnnxGraph graph, OnnxNode node, WeightedOp op)
    {
        var name = node.Inputs.ElementAtOrDefault(WeightedOp.WeightInput);
        if (name is null || graph.FindConstant(name) is not { } weight)
        {
            return $"weight '{name}' is not a constant; only constant weights are quantized";
        }

        return weight.ElementType == TensorElementType.Float && weight.Dims.Count >= op.MinRank && weight.Dims.Count <= op.MaxRank
            ? null
            : $"weight '{name}' is {weight.ElementType}[{string.Join(",", weight.Dims)}]; only float32 weights of rank {op.MinRank}..{op.MaxRank} are quantized";
    }

    /// <summary>A bias, when present, must be a constant float32 vector (it becomes int32).</summary>
    public static string? Bias(OnnxGraph graph, OnnxNode node, WeightedOp op)
    {
        if (op.Bias(node) is not { } bias)
        {
            return null;
        }

        return graph.FindConstant(bias) is { ElementType: TensorElementType.Float, Dims.Count: 1 }
            ? null
            : $"bias '{bias}' is not a constant float32 vector; an int32 bias cannot be made";
    }

    /// <summary>
    /// Add/Mul: two operands, at least one computed at run time, none an overridable initializer, not a MatMul's bias,
    /// and not an Add a normalization reads (a ReduceMean, as in LayerNorm written as primitives: a transformer's
    /// residual sums). That sum carries a large common offset the mean subtraction cancels, so 8-bit rounding of it is
    /// amplified: on arctic_embed_xs keeping those 13 Adds in float raised the fp32-vs-int8 cosine from 0.93 to 0.98.
    /// </summary>
    public static string? Binary(OnnxGraph graph, OnnxNode node)
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

        if (node.OpType == "Add" && graph.FindConsumers(node.Outputs[0]).Any(c => c is { OpType: "ReduceMean", IsDefaultDomain: true }))
        {
            return "Add read by a ReduceMean (a normalization's input, e.g. a residual sum into LayerNorm written as primitives): left in float, since its 8-bit rounding would be amplified once the mean is subtracted";
        }

        return null;
    }
}

// Whether a value the attention scores are combined with (the additive padding mask, a scalar) is the same for
// every head: its head axis (third from the end) is 1 or absent, so keeping fewer heads leaves it valid.
// Shape inference answers for most exports. Where it cannot (the Where/Expand mask transformers ≥ 4.36 builds:
// Expand(mask[:, None, None, :], Concat(batch, [1], s, s)), an operator it does not infer), the mask's
// construction is read instead: elementwise operators of one-head values, and an Expand whose input and
// target shape both keep one head.

using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning.Encoders;

/// <summary>Tells whether a value broadcasts over the heads (head axis 1 or absent).</summary>
internal sealed class HeadBroadcast(OnnxGraph graph, Func<string, ValueTypeInfo?> typeOf)
{
    private const int HeadAxisFromEnd = 3;
    private const int MaxDepth = 16; // a mask is built in a handful of steps; deeper means something else

    /// <summary>Operators whose output broadcasts its inputs and mixes nothing across an axis.</summary>
    private static readonly HashSet<string> Elementwise = ["Where", "Cast", "Add", "Sub", "Mul", "Div", "Not", "Equal", "Less", "Greater", "Neg", "Identity"];

    public bool IsOneHead(string value) => IsOneHead(value, MaxDepth);

    private bool IsOneHead(string value, int depth)
    {
        if (graph.FindInitializer(value) is { } constant)
        {
            return constant.ElementCount == 1 || constant.Dims.Count < HeadAxisFromEnd || constant.Dims[^HeadAxisFromEnd] == 1;
        }

        if (typeOf(value)?.Shape is { } shape && (shape.Count < HeadAxisFromEnd || shape[^HeadAxisFromEnd].Size is not null))
        {
            return shape.Count < HeadAxisFromEnd || shape[^HeadAxisFromEnd].Size == 1;
        }

        if (depth == 0 || graph.FindProducer(value) is not { } producer)
        {
            return false;
        }

        if (Elementwise.Contains(producer.OpType))
        {
            return producer.Inputs.Where(i => i.Length > 0).All(i => IsOneHead(i, depth - 1));
        }

        return producer.OpType == "Expand" && IsOneHead(producer.Inputs[0], depth - 1)
            && ShapeEntries.Of(graph, producer, 1).Entries is { } target
            && (target.Count < HeadAxisFromEnd || target[^HeadAxisFromEnd].Value == 1);
    }
}

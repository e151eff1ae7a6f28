using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup.Folding;

/// <summary>A node whose inputs are all constant, as a folding rule sees it.</summary>
internal sealed class FoldContext(OnnxNode node, IReadOnlyList<ConstantValue?> inputs, long opset)
{
    public OnnxNode Node => node;

    public long Opset => opset;

    public int InputCount => inputs.Count;

    /// <summary>Input <paramref name="index"/>, or null when omitted.</summary>
    public ConstantValue? Optional(int index) => index < inputs.Count ? inputs[index] : null;

    public ConstantValue Input(int index) => Optional(index) ?? throw new FoldingNotPossible($"input {index} is missing");

    public long Int(string name, long fallback) => node.FindAttribute(name) is { Kind: AttributeKind.Int } a ? a.Int : fallback;

    public long[]? Ints(string name) => node.FindAttribute(name) is { Kind: AttributeKind.Ints } a ? a.Ints.ToArray() : null;

    /// <summary>A list given as an attribute in older opsets and as input <paramref name="index"/> in newer ones.</summary>
    public long[]? IntsFromAttributeOrInput(string name, int index) => Ints(name) ?? Optional(index)?.AsInt64s();

    public static int Axis(long axis, int rank) =>
        (axis < 0 ? axis + rank : axis) is var a && a >= 0 && a < Math.Max(rank, 1) ? (int)a : throw new FoldingNotPossible($"axis {axis} is out of range for rank {rank}");
}

/// <summary>Thrown by a folding rule that meets a case it does not fold; the message is the reason reported.</summary>
internal sealed class FoldingNotPossible(string reason) : Exception(reason);

namespace Optimizer.Onnx;

/// <summary>What a shape rule may look at for one node: input types, constant inputs, attributes and the opset.</summary>
internal sealed class NodeContext(OnnxNode node, Func<string, InferredType> typeOf, Func<string, OnnxTensor?> constantOf, long opset)
{
    public OnnxNode Node => node;

    public long Opset => opset;

    public int InputCount => node.Inputs.Count;

    public bool HasInput(int index) => index < node.Inputs.Count && node.Inputs[index].Length > 0;

    public InferredType Input(int index) => HasInput(index) ? typeOf(node.Inputs[index]) : InferredType.Unknown;

    public Dim[]? Shape(int index) => Input(index).Shape;

    public TensorElementType ElementType(int index) => Input(index).ElementType;

    /// <summary>The integer values of a constant int64/int32 input (shape, axes), or null.</summary>
    public long[]? ConstantInts(int index)
    {
        if (!HasInput(index) || constantOf(node.Inputs[index]) is not { } tensor) return null;
        return tensor.ElementType switch
        {
            TensorElementType.Int64 => tensor.ToInt64Array(),
            TensorElementType.Int32 => tensor.ToInt32Array().Select(v => (long)v).ToArray(),
            _ => null,
        };
    }

    public long Int(string name, long fallback) => node.FindAttribute(name) is { Kind: AttributeKind.Int } a ? a.Int : fallback;

    public long[]? Ints(string name) => node.FindAttribute(name) is { Kind: AttributeKind.Ints } a ? a.Ints.ToArray() : null;

    public string? String(string name) => node.FindAttribute(name) is { Kind: AttributeKind.String } a ? a.String : null;

    /// <summary>An axes list given as an attribute (older opsets) or as input <paramref name="inputIndex"/> (newer).</summary>
    public long[]? Axes(int inputIndex) => Ints("axes") ?? ConstantInts(inputIndex);
}

namespace Optimizer.Onnx;

/// <summary>What a shape rule may look at for one node: input types, constant inputs, attributes and the opset.</summary>
internal sealed class NodeContext(OnnxNode node, Func<string, InferredType> typeOf, Func<string, OnnxTensor?> constantOf, long opset, string? modelPath)
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

    /// <summary>
    /// The coded error for a node whose attributes or input shapes contradict each other, e.g.
    /// <c>Inconsistent("attribute 'strides'", "it has 1 value but kernel_shape has 2")</c>.
    /// </summary>
    public OnnxFormatException Inconsistent(string what, string problem) => Inconsistent(node, what, problem, modelPath);

    /// <inheritdoc cref="Inconsistent(string, string)"/>
    public static OnnxFormatException Inconsistent(OnnxNode node, string what, string problem, string? modelPath, Exception? cause = null) =>
        new(OnnxErrorCodes.NodeInconsistent,
            $"Node '{node.Name}' ({node.OpType}) has inconsistent {what}: {problem}. ONNX Runtime cannot run such a node; fix it or re-export the model.",
            modelPath, cause);

    /// <summary>An axis list with every entry normalized into [0, rank) and none repeated; refused otherwise.</summary>
    public int[] DistinctAxes(string what, IReadOnlyList<long> axes, int rank)
    {
        var normalized = new int[axes.Count];
        for (var i = 0; i < axes.Count; i++)
        {
            if (DimMath.NormalizeAxis(axes[i], rank) is not { } axis)
            {
                throw Inconsistent(what, $"axis {axes[i]} is outside [-{rank}, {rank - 1}] for rank {rank}");
            }

            if (Array.IndexOf(normalized, axis, 0, i) >= 0)
            {
                throw Inconsistent(what, $"axis {axes[i]} names axis {axis} again; each axis may appear once");
            }

            normalized[i] = axis;
        }

        return normalized;
    }
}

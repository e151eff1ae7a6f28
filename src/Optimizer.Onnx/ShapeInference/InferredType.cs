namespace Optimizer.Onnx;

/// <summary>
/// What shape inference knows about one tensor value: its element type (Undefined when unknown)
/// and its dimensions (null when even the rank is unknown).
/// </summary>
internal sealed record InferredType(TensorElementType ElementType, Dim[]? Shape)
{
    public static InferredType Unknown { get; } = new(TensorElementType.Undefined, null);

    public int? Rank => Shape?.Length;

    /// <summary>Every dimension fixed: the sizes; else null.</summary>
    public long[]? StaticShape => Shape is { } s && s.All(d => d.Size is not null) ? s.Select(d => d.Size!.Value).ToArray() : null;

    public InferredType WithShape(Dim[]? shape) => this with { Shape = shape };

    public ValueTypeInfo ToValueTypeInfo() => ValueTypeInfo.Tensor(ElementType, Shape);

    /// <summary>
    /// A declared type; a negative fixed size (some exporters write -1 for "dynamic") counts as unknown,
    /// so no rule does arithmetic on it.
    /// </summary>
    public static InferredType From(ValueTypeInfo? type) =>
        type is { Kind: ValueKind.Tensor } t
            ? new InferredType(t.ElementType, t.Shape?.Select(d => d.Size < 0 ? Dim.Unknown : d).ToArray())
            : Unknown;
}

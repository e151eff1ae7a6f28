using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// The type of a value: its kind, tensor element type and shape. Immutable; it keeps the
/// <c>TypeProto</c> it was read from so that details this class does not expose (denotations,
/// map key types, nested sequence types) are written back unchanged.
/// </summary>
public sealed class ValueTypeInfo
{
    internal ValueTypeInfo(TypeProto proto)
    {
        Proto = proto;
        (Kind, ElementType, Shape) = Describe(proto);
    }

    internal TypeProto Proto { get; }

    /// <summary>Whether this is a tensor, sequence, map, optional or sparse tensor.</summary>
    public ValueKind Kind { get; }

    /// <summary>
    /// The element type of a tensor or sparse tensor; <see cref="TensorElementType.Undefined"/>
    /// for other kinds (see <see cref="ElementTypeInfo"/>).
    /// </summary>
    public TensorElementType ElementType { get; }

    /// <summary>The shape of a tensor or sparse tensor; null when the rank is unknown or the kind has no shape.</summary>
    public IReadOnlyList<Dim>? Shape { get; }

    /// <summary>The element type of a sequence or optional, or the value type of a map; null otherwise.</summary>
    public ValueTypeInfo? ElementTypeInfo => Proto.ValueCase switch
    {
        TypeProto.ValueOneofCase.SequenceType when Proto.SequenceType.ElemType is { } e => new ValueTypeInfo(e),
        TypeProto.ValueOneofCase.OptionalType when Proto.OptionalType.ElemType is { } e => new ValueTypeInfo(e),
        TypeProto.ValueOneofCase.MapType when Proto.MapType.ValueType is { } v => new ValueTypeInfo(v),
        _ => null,
    };

    /// <summary>Creates a dense tensor type.</summary>
    /// <param name="elementType">The element type.</param>
    /// <param name="shape">The dimensions, or null for unknown rank.</param>
    public static ValueTypeInfo Tensor(TensorElementType elementType, IReadOnlyList<Dim>? shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)elementType };
        if (shape is not null)
        {
            tensor.Shape = ToShapeProto(shape);
        }

        return new ValueTypeInfo(new TypeProto { TensorType = tensor });
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ValueKind.Tensor or ValueKind.SparseTensor =>
            $"{ElementType}[{(Shape is null ? "?" : string.Join(",", Shape))}]",
        _ => Kind.ToString(),
    };

    private static (ValueKind, TensorElementType, IReadOnlyList<Dim>?) Describe(TypeProto proto) => proto.ValueCase switch
    {
        TypeProto.ValueOneofCase.TensorType => (ValueKind.Tensor, (TensorElementType)proto.TensorType.ElemType,
            proto.TensorType.Shape is { } s ? FromShapeProto(s) : null),
        TypeProto.ValueOneofCase.SparseTensorType => (ValueKind.SparseTensor, (TensorElementType)proto.SparseTensorType.ElemType,
            proto.SparseTensorType.Shape is { } s ? FromShapeProto(s) : null),
        TypeProto.ValueOneofCase.SequenceType => (ValueKind.Sequence, TensorElementType.Undefined, null),
        TypeProto.ValueOneofCase.MapType => (ValueKind.Map, TensorElementType.Undefined, null),
        TypeProto.ValueOneofCase.OptionalType => (ValueKind.Optional, TensorElementType.Undefined, null),
        _ => (ValueKind.Unknown, TensorElementType.Undefined, null),
    };

    private static Dim[] FromShapeProto(TensorShapeProto shape) => shape.Dim.Select(d => d.ValueCase switch
    {
        // A negative size (exporters write -1) means "unknown" to ONNX Runtime; never a size to check inputs against.
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue when d.DimValue >= 0 => Dim.Fixed(d.DimValue),
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam when d.DimParam.Length > 0 => Dim.Named(d.DimParam),
        _ => Dim.Unknown,
    }).ToArray();

    private static TensorShapeProto ToShapeProto(IReadOnlyList<Dim> shape)
    {
        var proto = new TensorShapeProto();
        foreach (var dim in shape)
        {
            var d = new TensorShapeProto.Types.Dimension();
            if (dim.Size is { } size)
            {
                d.DimValue = size;
            }
            else if (dim.Symbol is { } symbol)
            {
                d.DimParam = symbol;
            }

            proto.Dim.Add(d);
        }

        return proto;
    }
}

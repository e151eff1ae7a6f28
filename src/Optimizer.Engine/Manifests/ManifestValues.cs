using Optimizer.Onnx;

namespace Optimizer.Engine.Manifests;

/// <summary>Graph inputs/outputs → manifest values.</summary>
public static class ManifestValues
{
    public static IReadOnlyList<ManifestValue> From(IEnumerable<ValueInfo> values) => values.Select(From).ToList();

    public static ManifestValue From(ValueInfo value)
    {
        var type = value.Type;
        if (type is null)
            return new ManifestValue(value.Name, ElementTypeNames.Unsupported, null, "unknown");

        if (type.Kind != ValueKind.Tensor)
            return new ManifestValue(value.Name, ElementTypeNames.Unsupported, null, KindName(type.Kind));

        var shape = type.Shape?.Select(d => d.Size is { } size ? (object?)size : d.Symbol).ToList();
        var elementType = ElementTypeNames.Of(type.ElementType);
        return elementType is null
            ? new ManifestValue(value.Name, ElementTypeNames.Unsupported, shape, "tensor(" + type.ElementType.ToString().ToLowerInvariant() + ")")
            : new ManifestValue(value.Name, elementType, shape, null);
    }

    private static string KindName(ValueKind kind) => kind switch
    {
        ValueKind.Sequence => "sequence",
        ValueKind.Map => "map",
        ValueKind.Optional => "optional",
        ValueKind.SparseTensor => "sparse_tensor",
        _ => "unknown",
    };
}

using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>A named value with an optional type: a graph input, output or annotated intermediate.</summary>
public sealed class ValueInfo
{
    private readonly ValueInfoProto _template;
    private readonly ValueTypeInfo? _originalType;

    /// <summary>Creates a value description.</summary>
    /// <param name="name">The value's name.</param>
    /// <param name="type">Its type, or null when unknown.</param>
    public ValueInfo(string name, ValueTypeInfo? type)
    {
        _template = new ValueInfoProto();
        Name = name;
        Type = type;
    }

    internal ValueInfo(ValueInfoProto proto)
    {
        _template = proto.Clone();
        _template.Type = null;
        Name = proto.Name;
        Type = _originalType = proto.Type is null ? null : new ValueTypeInfo(proto.Type);
    }

    /// <summary>The value's name, unique within its graph.</summary>
    public string Name { get; set; }

    /// <summary>The value's type; null when the model does not say.</summary>
    public ValueTypeInfo? Type { get; set; }

    /// <summary>The documentation string, or empty.</summary>
    public string DocString => _template.DocString;

    internal ValueInfoProto ToProto()
    {
        var proto = _template.Clone();
        ProtoFields.SetIfChanged(proto.Name, Name, v => proto.Name = v);
        proto.Type = Type?.Proto;
        return proto;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Type?.ToString() ?? "?"}";
}

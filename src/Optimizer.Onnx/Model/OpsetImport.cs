using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>An operator set the model uses: a domain (empty for standard ONNX) and its version.</summary>
public sealed class OpsetImport
{
    private readonly OperatorSetIdProto _template;

    /// <summary>Creates an opset import.</summary>
    public OpsetImport(string domain, long version)
    {
        _template = new OperatorSetIdProto();
        Domain = domain;
        Version = version;
    }

    internal OpsetImport(OperatorSetIdProto proto)
    {
        _template = proto.Clone();
        Domain = proto.Domain;
        Version = proto.Version;
    }

    /// <summary>The domain; empty (or <c>ai.onnx</c>) for standard ONNX operators.</summary>
    public string Domain { get; set; }

    /// <summary>The operator set version.</summary>
    public long Version { get; set; }

    internal bool IsDefaultDomain => Domain.Length == 0 || Domain == "ai.onnx";

    internal OperatorSetIdProto ToProto()
    {
        var proto = _template.Clone();
        ProtoFields.SetIfChanged(proto.Domain, Domain, v => proto.Domain = v);
        ProtoFields.SetIfChanged(proto.Version, Version, v => proto.Version = v);
        return proto;
    }

    /// <inheritdoc />
    public override string ToString() => $"{(Domain.Length == 0 ? "ai.onnx" : Domain)} v{Version}";
}

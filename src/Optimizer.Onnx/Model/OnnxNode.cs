using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// One operator invocation. Inputs and outputs are value names; an empty name marks an omitted
/// optional input or output.
/// </summary>
public sealed class OnnxNode
{
    private readonly NodeProto _template;

    /// <summary>Creates a node.</summary>
    /// <param name="opType">The operator, e.g. <c>MatMul</c>.</param>
    /// <param name="inputs">Input value names.</param>
    /// <param name="outputs">Output value names.</param>
    /// <param name="name">The node's name (unique names help diagnostics).</param>
    /// <param name="domain">The operator set domain; empty for the default ONNX domain.</param>
    public OnnxNode(string opType, IEnumerable<string> inputs, IEnumerable<string> outputs, string name = "", string domain = "")
    {
        _template = new NodeProto();
        OpType = opType;
        Inputs = inputs.ToList();
        Outputs = outputs.ToList();
        Name = name;
        Domain = domain;
    }

    internal OnnxNode(NodeProto proto)
    {
        _template = proto.Clone();
        _template.Input.Clear();
        _template.Output.Clear();
        _template.Attribute.Clear();
        Name = proto.Name;
        OpType = proto.OpType;
        Domain = proto.Domain;
        Inputs = proto.Input.ToList();
        Outputs = proto.Output.ToList();
        Attributes = proto.Attribute.Select(a => new OnnxAttribute(a)).ToList();
    }

    /// <summary>The node's name; may be empty.</summary>
    public string Name { get; set; }

    /// <summary>The operator type, e.g. <c>Gemm</c>.</summary>
    public string OpType { get; set; }

    /// <summary>The operator set domain; empty (or <c>ai.onnx</c>) for standard ONNX operators.</summary>
    public string Domain { get; set; }

    /// <summary>Whether the node is a standard ONNX operator (default domain).</summary>
    public bool IsDefaultDomain => Domain.Length == 0 || Domain == "ai.onnx";

    /// <summary>Input value names in operator order.</summary>
    public List<string> Inputs { get; }

    /// <summary>Output value names in operator order.</summary>
    public List<string> Outputs { get; }

    /// <summary>The attributes in model order.</summary>
    public List<OnnxAttribute> Attributes { get; } = new();

    /// <summary>The attribute called <paramref name="name"/>, or null.</summary>
    public OnnxAttribute? FindAttribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    /// <summary>Replaces (or adds) the attribute with the same name.</summary>
    public void SetAttribute(OnnxAttribute attribute)
    {
        var index = Attributes.FindIndex(a => a.Name == attribute.Name);
        if (index >= 0)
        {
            Attributes[index] = attribute;
        }
        else
        {
            Attributes.Add(attribute);
        }
    }

    /// <summary>
    /// The value of a default-domain <c>Constant</c> node (any of its attribute forms), named after
    /// its output; null for any other node, or for a sparse or attribute-reference value.
    /// </summary>
    public OnnxTensor? ReadConstantValue() =>
        this is { OpType: "Constant", IsDefaultDomain: true } ? ConstantNodes.ReadValue(this) : null;

    internal NodeProto ToProto()
    {
        var proto = _template.Clone();
        ProtoFields.SetIfChanged(proto.Name, Name, v => proto.Name = v);
        ProtoFields.SetIfChanged(proto.OpType, OpType, v => proto.OpType = v);
        ProtoFields.SetIfChanged(proto.Domain, Domain, v => proto.Domain = v);
        proto.Input.AddRange(Inputs);
        proto.Output.AddRange(Outputs);
        proto.Attribute.AddRange(Attributes.Select(a => a.Proto));
        return proto;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{(Name.Length > 0 ? Name : "<unnamed>")} ({OpType}): [{string.Join(", ", Inputs)}] -> [{string.Join(", ", Outputs)}]";
}

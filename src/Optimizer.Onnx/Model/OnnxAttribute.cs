using Google.Protobuf;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>The kind of value an attribute holds, numbered as ONNX's <c>AttributeProto.AttributeType</c>.</summary>
public enum AttributeKind
{
    /// <summary>Not set.</summary>
    Undefined = 0,
    /// <summary>One float.</summary>
    Float = 1,
    /// <summary>One int64.</summary>
    Int = 2,
    /// <summary>One byte string (usually UTF-8 text).</summary>
    String = 3,
    /// <summary>One tensor.</summary>
    Tensor = 4,
    /// <summary>One subgraph.</summary>
    Graph = 5,
    /// <summary>A list of floats.</summary>
    Floats = 6,
    /// <summary>A list of int64s.</summary>
    Ints = 7,
    /// <summary>A list of byte strings.</summary>
    Strings = 8,
    /// <summary>A list of tensors.</summary>
    Tensors = 9,
    /// <summary>A list of subgraphs.</summary>
    Graphs = 10,
    /// <summary>One sparse tensor.</summary>
    SparseTensor = 11,
    /// <summary>A list of sparse tensors.</summary>
    SparseTensors = 12,
    /// <summary>One type.</summary>
    TypeProto = 13,
    /// <summary>A list of types.</summary>
    TypeProtos = 14,
}

/// <summary>
/// A node attribute. Immutable; subgraph-valued attributes are kept intact as read from the
/// model unless a pass replaces the attribute with an edited copy (<see cref="FromGraph"/>).
/// </summary>
public sealed class OnnxAttribute
{
    internal OnnxAttribute(AttributeProto proto) => Proto = proto;

    internal AttributeProto Proto { get; }

    /// <summary>The attribute's name.</summary>
    public string Name => Proto.Name;

    /// <summary>Which value the attribute holds.</summary>
    public AttributeKind Kind => (AttributeKind)Proto.Type;

    /// <summary>When set, the attribute refers to an attribute of the enclosing function rather than holding a value.</summary>
    public string? RefAttributeName => Proto.HasRefAttrName ? Proto.RefAttrName : null;

    /// <summary>The float value.</summary>
    public float Float => Proto.F;

    /// <summary>The int value.</summary>
    public long Int => Proto.I;

    /// <summary>The string value decoded as UTF-8.</summary>
    public string String => Proto.S.ToStringUtf8();

    /// <summary>The float list.</summary>
    public IReadOnlyList<float> Floats => Proto.Floats;

    /// <summary>The int list.</summary>
    public IReadOnlyList<long> Ints => Proto.Ints;

    /// <summary>The string list decoded as UTF-8.</summary>
    public IReadOnlyList<string> Strings => Proto.Strings.Select(s => s.ToStringUtf8()).ToArray();

    /// <summary>A copy of the tensor value, or null.</summary>
    public OnnxTensor? Tensor => Proto.T is null ? null : new OnnxTensor(Proto.T.Clone());

    /// <summary>Whether the attribute holds one or more subgraphs.</summary>
    public bool HasSubgraphs => Proto.G is not null || Proto.Graphs.Count > 0;

    /// <summary>
    /// Copies of the subgraphs this attribute holds. Editing a copy does not change the model:
    /// to change it, set the edited copy back on the node with <see cref="FromGraph"/>.
    /// </summary>
    public IReadOnlyList<OnnxGraph> ReadSubgraphs() => Subgraphs.Select(g => new OnnxGraph(g.Clone())).ToArray();

    internal IEnumerable<GraphProto> Subgraphs => Proto.G is null ? Proto.Graphs : Proto.Graphs.Prepend(Proto.G);

    /// <summary>Creates an int attribute.</summary>
    public static OnnxAttribute FromInt(string name, long value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    /// <summary>Creates a float attribute.</summary>
    public static OnnxAttribute FromFloat(string name, float value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });

    /// <summary>Creates a UTF-8 string attribute.</summary>
    public static OnnxAttribute FromString(string name, string value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });

    /// <summary>Creates an int-list attribute.</summary>
    public static OnnxAttribute FromInts(string name, IEnumerable<long> values)
    {
        var proto = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        proto.Ints.AddRange(values);
        return new OnnxAttribute(proto);
    }

    /// <summary>Creates a float-list attribute.</summary>
    public static OnnxAttribute FromFloats(string name, IEnumerable<float> values)
    {
        var proto = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        proto.Floats.AddRange(values);
        return new OnnxAttribute(proto);
    }

    /// <summary>Creates a subgraph attribute (e.g. an If node's <c>then_branch</c>) from <paramref name="graph"/> as it is now.</summary>
    public static OnnxAttribute FromGraph(string name, OnnxGraph graph) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = graph.ToProto() });

    /// <summary>Creates a tensor attribute (e.g. a Constant node's <c>value</c>).</summary>
    public static OnnxAttribute FromTensor(string name, OnnxTensor value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value.Proto.Clone() });

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Kind}";
}

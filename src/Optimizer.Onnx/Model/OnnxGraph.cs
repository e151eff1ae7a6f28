using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// A mutable computation graph: nodes, initializers (constant tensors), inputs, outputs and
/// value annotations. Parts this class does not model (sparse initializers, quantization
/// annotations, metadata, unknown fields) are kept and written back unchanged.
/// </summary>
public sealed class OnnxGraph
{
    private readonly GraphProto _template;

    /// <summary>Creates an empty graph.</summary>
    public OnnxGraph(string name = "")
    {
        _template = new GraphProto();
        Name = name;
    }

    internal OnnxGraph(GraphProto proto)
    {
        _template = ProtoFields.CloneWithout(proto, proto.Node, proto.Initializer, proto.Input, proto.Output, proto.ValueInfo);
        Name = proto.Name;
        Nodes = proto.Node.Select(n => new OnnxNode(n)).ToList();
        Initializers = proto.Initializer.Select(t => new OnnxTensor(t)).ToList();
        DeclaredInputs = proto.Input.Select(v => new ValueInfo(v)).ToList();
        Outputs = proto.Output.Select(v => new ValueInfo(v)).ToList();
        ValueInfos = proto.ValueInfo.Select(v => new ValueInfo(v)).ToList();
    }

    /// <summary>The graph's name.</summary>
    public string Name { get; set; }

    /// <summary>The nodes, in the order they are written (topological for a valid model).</summary>
    public List<OnnxNode> Nodes { get; } = new();

    /// <summary>Constant tensors, each naming the value it provides.</summary>
    public List<OnnxTensor> Initializers { get; } = new();

    /// <summary>
    /// Every input the graph declares, including those that are also initializers (older IR
    /// versions list initializers as inputs so callers may override them).
    /// </summary>
    public List<ValueInfo> DeclaredInputs { get; } = new();

    /// <summary>The real inputs: declared inputs that are not initializers, in graph order.</summary>
    public IReadOnlyList<ValueInfo> Inputs
    {
        get
        {
            var initializerNames = InitializerNames();
            return DeclaredInputs.Where(i => !initializerNames.Contains(i.Name)).ToArray();
        }
    }

    /// <summary>The graph outputs, in graph order.</summary>
    public List<ValueInfo> Outputs { get; } = new();

    /// <summary>Type annotations for intermediate values.</summary>
    public List<ValueInfo> ValueInfos { get; } = new();

    /// <summary>The initializer named <paramref name="name"/>, or null.</summary>
    public OnnxTensor? FindInitializer(string name) => Initializers.FirstOrDefault(t => t.Name == name);

    /// <summary>
    /// The constant value named <paramref name="name"/>: an initializer that is not overridable
    /// as a graph input, or the output of a <c>Constant</c> node. Null when the value is not constant.
    /// </summary>
    public OnnxTensor? FindConstant(string name)
    {
        if (FindInitializer(name) is { } initializer)
        {
            return DeclaredInputs.Any(i => i.Name == name) ? null : initializer;
        }

        var producer = FindProducer(name);
        return producer is { OpType: "Constant", IsDefaultDomain: true } ? ConstantNodes.ReadValue(producer) : null;
    }

    /// <summary>The node that outputs <paramref name="valueName"/>, or null.</summary>
    public OnnxNode? FindProducer(string valueName) =>
        valueName.Length == 0 ? null : Nodes.FirstOrDefault(n => n.Outputs.Contains(valueName));

    /// <summary>The nodes that read <paramref name="valueName"/> as an explicit input, in node order.</summary>
    public IReadOnlyList<OnnxNode> FindConsumers(string valueName) =>
        valueName.Length == 0 ? Array.Empty<OnnxNode>() : Nodes.Where(n => n.Inputs.Contains(valueName)).ToArray();

    /// <summary>The type annotation for <paramref name="valueName"/> from inputs, outputs or value infos, or null.</summary>
    public ValueInfo? FindValueInfo(string valueName) =>
        DeclaredInputs.Concat(Outputs).Concat(ValueInfos).FirstOrDefault(v => v.Name == valueName);

    /// <summary>Whether a graph output, or a subgraph of some node, reads <paramref name="valueName"/>.</summary>
    public bool IsUsedOutsideExplicitInputs(string valueName) =>
        Outputs.Any(o => o.Name == valueName) || GraphNames.SubgraphReferences(this).Contains(valueName);

    /// <summary>
    /// The nodes in a topological order (stable: keeps the written order where it is valid).
    /// </summary>
    /// <exception cref="OnnxFormatException">The nodes form a cycle (<see cref="OnnxErrorCodes.GraphCycle"/>).</exception>
    public IReadOnlyList<OnnxNode> GetTopologicalOrder()
    {
        var order = GraphTopology.Sort(Nodes, n => n.Inputs.Concat(n.Attributes.SelectMany(a => a.Subgraphs).SelectMany(SubgraphScope.FreeNames)), n => n.Outputs);
        return order.Select(i => Nodes[i]).ToArray();
    }

    /// <summary>Reorders <see cref="Nodes"/> topologically; call after inserting nodes out of order.</summary>
    public void SortTopologically()
    {
        var sorted = GetTopologicalOrder();
        Nodes.Clear();
        Nodes.AddRange(sorted);
    }

    /// <summary>
    /// A value or node name starting with <paramref name="prefix"/> that no value, node or
    /// subgraph in this graph uses yet.
    /// </summary>
    public string CreateUniqueName(string prefix)
    {
        var used = GraphNames.AllNames(this);
        if (!used.Contains(prefix))
        {
            return prefix;
        }

        for (var i = 1; ; i++)
        {
            var candidate = $"{prefix}_{i}";
            if (!used.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>
    /// Removes the initializer <paramref name="name"/> (and its declared input, if any) when no
    /// node, graph output or subgraph reads it any more; returns whether it was removed.
    /// </summary>
    public bool RemoveInitializerIfUnused(string name)
    {
        if (FindConsumers(name).Count > 0 || IsUsedOutsideExplicitInputs(name))
        {
            return false;
        }

        DeclaredInputs.RemoveAll(i => i.Name == name);
        return Initializers.RemoveAll(t => t.Name == name) > 0;
    }

    /// <summary>Removes initializers no node, output or subgraph reads; returns how many went.</summary>
    public int RemoveUnusedInitializers()
    {
        var used = new HashSet<string>(Nodes.SelectMany(n => n.Inputs));
        used.UnionWith(Outputs.Select(o => o.Name));
        used.UnionWith(GraphNames.SubgraphReferences(this));
        var unused = Initializers.Select(t => t.Name).Where(n => !used.Contains(n)).ToHashSet();
        Initializers.RemoveAll(t => unused.Contains(t.Name));
        DeclaredInputs.RemoveAll(i => unused.Contains(i.Name));
        return unused.Count;
    }

    internal HashSet<string> InitializerNames() => Initializers.Select(t => t.Name).ToHashSet();

    internal GraphProto Template => _template;

    internal GraphProto ToProto()
    {
        var proto = _template.Clone();
        ProtoFields.SetIfChanged(proto.Name, Name, v => proto.Name = v);
        proto.Node.AddRange(Nodes.Select(n => n.ToProto()));
        proto.Initializer.AddRange(Initializers.Select(t => t.Proto));
        proto.Input.AddRange(DeclaredInputs.Select(v => v.ToProto()));
        proto.Output.AddRange(Outputs.Select(v => v.ToProto()));
        proto.ValueInfo.AddRange(ValueInfos.Select(v => v.ToProto()));
        return proto;
    }
}

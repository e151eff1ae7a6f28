using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>Name bookkeeping across a graph and the subgraphs inside its nodes.</summary>
internal static class GraphNames
{
    /// <summary>Outer-scope names that subgraphs of the graph's nodes read.</summary>
    public static HashSet<string> SubgraphReferences(OnnxGraph graph) =>
        graph.Nodes.SelectMany(n => n.Attributes).SelectMany(a => a.Subgraphs).SelectMany(SubgraphScope.FreeNames).ToHashSet();

    /// <summary>Every value and node name in the graph and, recursively, its subgraphs.</summary>
    public static HashSet<string> AllNames(OnnxGraph graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        names.UnionWith(graph.DeclaredInputs.Select(i => i.Name));
        names.UnionWith(graph.Outputs.Select(o => o.Name));
        names.UnionWith(graph.ValueInfos.Select(v => v.Name));
        names.UnionWith(graph.Initializers.Select(t => t.Name));
        foreach (var node in graph.Nodes)
        {
            names.Add(node.Name);
            names.UnionWith(node.Inputs);
            names.UnionWith(node.Outputs);
            foreach (var sub in node.Attributes.SelectMany(a => a.Subgraphs))
            {
                AddAll(sub, names);
            }
        }

        AddAll(graph.Template, names);
        return names;
    }

    private static void AddAll(GraphProto graph, HashSet<string> names)
    {
        names.UnionWith(graph.Input.Select(i => i.Name));
        names.UnionWith(graph.Output.Select(o => o.Name));
        names.UnionWith(graph.ValueInfo.Select(v => v.Name));
        names.UnionWith(graph.Initializer.Select(t => t.Name));
        names.UnionWith(graph.SparseInitializer.Where(s => s.Values is not null).Select(s => s.Values.Name));
        foreach (var node in graph.Node)
        {
            names.Add(node.Name);
            names.UnionWith(node.Input);
            names.UnionWith(node.Output);
            foreach (var sub in node.Attribute.SelectMany(SubgraphScope.Subgraphs))
            {
                AddAll(sub, names);
            }
        }
    }
}

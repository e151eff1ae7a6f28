using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>Which outer-scope names a subgraph (If/Loop/Scan body) reads.</summary>
internal static class SubgraphScope
{
    /// <summary>Names read in <paramref name="graph"/> or its nested subgraphs that <paramref name="graph"/> does not define.</summary>
    public static IReadOnlyCollection<string> FreeNames(GraphProto graph)
    {
        var defined = DefinedNames(graph);
        var free = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input)
            {
                if (input.Length > 0 && !defined.Contains(input))
                {
                    free.Add(input);
                }
            }

            foreach (var sub in node.Attribute.SelectMany(Subgraphs))
            {
                free.UnionWith(FreeNames(sub).Where(n => !defined.Contains(n)));
            }
        }

        free.UnionWith(graph.Output.Select(o => o.Name).Where(n => n.Length > 0 && !defined.Contains(n)));
        return free;
    }

    /// <summary>Inputs, initializers, sparse initializers and node outputs of one graph (not nested ones).</summary>
    public static HashSet<string> DefinedNames(GraphProto graph)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        defined.UnionWith(graph.Input.Select(i => i.Name));
        defined.UnionWith(graph.Initializer.Select(t => t.Name));
        defined.UnionWith(graph.SparseInitializer.Where(s => s.Values is not null).Select(s => s.Values.Name));
        defined.UnionWith(graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0));
        return defined;
    }

    public static IEnumerable<GraphProto> Subgraphs(AttributeProto attribute) =>
        attribute.G is null ? attribute.Graphs : attribute.Graphs.Prepend(attribute.G);
}

using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup;

/// <summary>
/// Who reads each value of a graph: node inputs, graph outputs, and subgraphs (If/Loop/Scan
/// bodies) that read it by name from the outer scope. A snapshot: rebuild after rewriting.
/// </summary>
internal sealed class GraphUsage
{
    private readonly Dictionary<string, List<OnnxNode>> _consumers = new(StringComparer.Ordinal);

    public GraphUsage(OnnxGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Inputs.Where(i => i.Length > 0).Distinct())
            {
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = new List<OnnxNode>();
                list.Add(node);
            }
        }

        GraphOutputs = graph.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        GraphInputs = graph.DeclaredInputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        SubgraphReads = graph.Nodes.SelectMany(SubgraphFreeNames.Of).ToHashSet(StringComparer.Ordinal);
    }

    public HashSet<string> GraphOutputs { get; }

    public HashSet<string> GraphInputs { get; }

    /// <summary>Outer-scope names read inside subgraphs of the graph's nodes: such values can be neither renamed nor removed.</summary>
    public HashSet<string> SubgraphReads { get; }

    public IReadOnlyList<OnnxNode> ConsumersOf(string value) => _consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>Whether a graph output or a subgraph reads <paramref name="value"/>.</summary>
    public bool IsUsedOutsideNodes(string value) => GraphOutputs.Contains(value) || SubgraphReads.Contains(value);

    /// <summary>Whether anything reads <paramref name="value"/>: a node, a graph output or a subgraph.</summary>
    public bool IsUsed(string value) => _consumers.ContainsKey(value) || GraphOutputs.Contains(value) || SubgraphReads.Contains(value);
}

/// <summary>Names a node's subgraphs read from outside themselves (computed through the public IR).</summary>
internal static class SubgraphFreeNames
{
    public static IEnumerable<string> Of(OnnxNode node) =>
        node.Attributes.Where(a => a.HasSubgraphs).SelectMany(a => a.ReadSubgraphs()).SelectMany(Free);

    private static IEnumerable<string> Free(OnnxGraph graph)
    {
        var defined = graph.DeclaredInputs.Select(i => i.Name).Concat(graph.Initializers.Select(t => t.Name))
            .Concat(graph.Nodes.SelectMany(n => n.Outputs)).ToHashSet(StringComparer.Ordinal);
        var read = graph.Nodes.SelectMany(n => n.Inputs).Concat(graph.Outputs.Select(o => o.Name)).Concat(graph.Nodes.SelectMany(Of));
        return read.Where(n => n.Length > 0 && !defined.Contains(n)).Distinct();
    }
}

using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup;

/// <summary>
/// Who reads and who writes each value of a graph: node inputs, graph outputs, and subgraphs
/// (If/Loop/Scan bodies) that read it by name from the outer scope. Built once per pass run in
/// one sweep; a rewrite that goes through <see cref="ReplaceInput"/>, <see cref="RenameOutput"/>
/// and <see cref="Forget"/> keeps it current, so no rewrite rescans the graph (which made
/// clean-up quadratic in the node count).
/// </summary>
internal sealed class GraphUsage
{
    private readonly Dictionary<string, List<OnnxNode>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxNode> _producers = new(StringComparer.Ordinal);

    public GraphUsage(OnnxGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Inputs.Where(i => i.Length > 0).Distinct())
            {
                AddConsumer(input, node);
            }

            foreach (var output in node.Outputs.Where(o => o.Length > 0))
            {
                _producers.TryAdd(output, node);
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

    /// <summary>The node that writes <paramref name="value"/> (the first in graph order), or null.</summary>
    public OnnxNode? ProducerOf(string value) => _producers.GetValueOrDefault(value);

    /// <summary>Makes <paramref name="consumer"/> read <paramref name="to"/> wherever it read <paramref name="from"/>.</summary>
    public void ReplaceInput(OnnxNode consumer, string from, string to)
    {
        var readsAlready = consumer.Inputs.Contains(to);
        Replace(consumer.Inputs, from, to);
        RemoveConsumer(from, consumer);
        if (!readsAlready) AddConsumer(to, consumer);
    }

    /// <summary>Makes <paramref name="producer"/> write <paramref name="to"/> instead of <paramref name="from"/>.</summary>
    public void RenameOutput(OnnxNode producer, string from, string to)
    {
        Replace(producer.Outputs, from, to);
        if (_producers.GetValueOrDefault(from) == producer) _producers.Remove(from);
        _producers[to] = producer;
    }

    /// <summary>Adds <paramref name="node"/> to the index, for a node that joins the graph.</summary>
    public void Track(OnnxNode node)
    {
        foreach (var input in node.Inputs.Where(i => i.Length > 0).Distinct())
        {
            AddConsumer(input, node);
        }

        foreach (var output in node.Outputs.Where(o => o.Length > 0))
        {
            _producers.TryAdd(output, node);
        }
    }

    /// <summary>Drops <paramref name="node"/> from the index, for a node about to leave the graph.</summary>
    public void Forget(OnnxNode node)
    {
        foreach (var input in node.Inputs.Where(i => i.Length > 0).Distinct())
        {
            RemoveConsumer(input, node);
        }

        foreach (var output in node.Outputs)
        {
            if (_producers.GetValueOrDefault(output) == node) _producers.Remove(output);
        }
    }

    /// <summary>Adds a reader the value's list does not hold yet (callers check, so hub values stay cheap).</summary>
    private void AddConsumer(string value, OnnxNode node)
    {
        if (!_consumers.TryGetValue(value, out var list)) _consumers[value] = list = new List<OnnxNode>();
        list.Add(node);
    }

    /// <summary>Removes the reader once it no longer reads the value at all (a node may read a value twice).</summary>
    private void RemoveConsumer(string value, OnnxNode node)
    {
        if (node.Inputs.Contains(value) || !_consumers.TryGetValue(value, out var list)) return;
        list.Remove(node);
        if (list.Count == 0) _consumers.Remove(value);
    }

    private static void Replace(List<string> names, string from, string to)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == from) names[i] = to;
        }
    }

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

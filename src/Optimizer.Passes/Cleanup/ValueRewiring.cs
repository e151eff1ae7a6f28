using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup;

/// <summary>
/// Removes pass-through nodes (output equal to input) by making their readers read their input.
/// A graph output keeps its name: the input's producer is renamed to write it instead.
/// Lookups go through a <see cref="GraphUsage"/> kept current, and removed nodes and annotations
/// leave the graph together in <see cref="Commit"/>: each bypass costs the size of its
/// neighbourhood, not of the graph.
/// </summary>
internal sealed class ValueRewiring(OnnxGraph graph, GraphUsage usage)
{
    private readonly HashSet<OnnxNode> _removed = new();
    private readonly HashSet<string> _goneAnnotations = new(StringComparer.Ordinal);

    /// <summary>Null when bypassed, else why the node has to stay.</summary>
    public string? TryBypass(OnnxNode node, string input, string output)
    {
        if (usage.SubgraphReads.Contains(output))
        {
            return $"a subgraph reads {output} by name, and subgraphs are not rewritten in this version";
        }

        if (!usage.GraphOutputs.Contains(output))
        {
            foreach (var consumer in usage.ConsumersOf(output).ToArray())
            {
                usage.ReplaceInput(consumer, output, input);
            }

            Remove(node, output);
            return null;
        }

        // The output name is part of the model's contract: rename the input's producer instead.
        var producer = usage.ProducerOf(input);
        if (producer is null || usage.GraphInputs.Contains(input) || usage.GraphOutputs.Contains(input) || usage.SubgraphReads.Contains(input))
        {
            return $"graph output {output} mirrors {input}, which is a graph input, initializer, another output or read by a subgraph; kept so both names exist";
        }

        usage.Forget(node);
        usage.RenameOutput(producer, input, output);
        foreach (var consumer in usage.ConsumersOf(input).ToArray())
        {
            usage.ReplaceInput(consumer, input, output);
        }

        Remove(node, input);
        return null;
    }

    /// <summary>Takes the bypassed nodes and the annotations of the values that went out of the graph.</summary>
    public void Commit()
    {
        if (_removed.Count > 0) graph.Nodes.RemoveAll(_removed.Contains);
        if (_goneAnnotations.Count > 0) graph.ValueInfos.RemoveAll(v => _goneAnnotations.Contains(v.Name));
        _removed.Clear();
        _goneAnnotations.Clear();
    }

    private void Remove(OnnxNode node, string goneValue)
    {
        usage.Forget(node);
        _removed.Add(node);
        _goneAnnotations.Add(goneValue);
    }
}

using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup;

/// <summary>
/// Removes a pass-through node (output equal to input) by making its readers read its input.
/// A graph output keeps its name: the input's producer is renamed to write it instead.
/// </summary>
internal static class ValueRewiring
{
    /// <summary>Null when bypassed, else why the node has to stay.</summary>
    public static string? TryBypass(OnnxGraph graph, OnnxNode node, string input, string output, GraphUsage usage)
    {
        if (usage.SubgraphReads.Contains(output))
        {
            return $"a subgraph reads {output} by name, and subgraphs are not rewritten in this version";
        }

        if (!usage.GraphOutputs.Contains(output))
        {
            foreach (var consumer in usage.ConsumersOf(output))
            {
                Replace(consumer.Inputs, output, input);
            }

            graph.Nodes.Remove(node);
            RemoveAnnotation(graph, output);
            return null;
        }

        // The output name is part of the model's contract: rename the input's producer instead.
        var producer = graph.Nodes.FirstOrDefault(n => n.Outputs.Contains(input));
        if (producer is null || usage.GraphInputs.Contains(input) || usage.GraphOutputs.Contains(input) || usage.SubgraphReads.Contains(input))
        {
            return $"graph output {output} mirrors {input}, which is a graph input, initializer, another output or read by a subgraph; kept so both names exist";
        }

        Replace(producer.Outputs, input, output);
        foreach (var consumer in usage.ConsumersOf(input))
        {
            Replace(consumer.Inputs, input, output);
        }

        graph.Nodes.Remove(node);
        RemoveAnnotation(graph, input);
        return null;
    }

    private static void Replace(List<string> names, string from, string to)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == from) names[i] = to;
        }
    }

    private static void RemoveAnnotation(OnnxGraph graph, string name) => graph.ValueInfos.RemoveAll(v => v.Name == name);
}

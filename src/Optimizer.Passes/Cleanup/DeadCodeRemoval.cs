using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup;

/// <summary>
/// Removes nodes nothing reads (walking back from the graph outputs, keeping nodes whose outputs
/// subgraphs read), then initializers nothing reads and annotations of values that no longer exist.
/// Graph inputs and outputs are never removed.
/// </summary>
internal static class DeadCodeRemoval
{
    public const string DeadNodes = "dead node removed";
    public const string UnusedInitializers = "unused initializer removed";

    public static void Run(OnnxGraph graph, CleanupLog log)
    {
        var usage = new GraphUsage(graph);
        var needed = new HashSet<string>(usage.GraphOutputs.Concat(usage.SubgraphReads), StringComparer.Ordinal);
        var dead = new HashSet<OnnxNode>();
        foreach (var node in graph.GetTopologicalOrder().Reverse())
        {
            if (node.Outputs.Count > 0 && !node.Outputs.Any(needed.Contains))
            {
                dead.Add(node);
                log.Change(DeadNodes, node, $"{node.OpType} removed: nothing reads its outputs");
                continue;
            }

            needed.UnionWith(node.Inputs.Where(i => i.Length > 0));
            needed.UnionWith(SubgraphFreeNames.Of(node));
        }

        graph.Nodes.RemoveAll(dead.Contains);
        var unusedInOrder = graph.Initializers.Where(t => !needed.Contains(t.Name)).Select(t => t.Name).ToArray();
        var unused = unusedInOrder.ToHashSet(StringComparer.Ordinal);
        foreach (var name in unusedInOrder)
        {
            log.Change(UnusedInitializers, name, $"initializer {name} removed: nothing reads it");
        }

        graph.Initializers.RemoveAll(t => unused.Contains(t.Name));
        // An initializer also listed as an input (IR < 4 style) goes with its initializer; real inputs stay.
        graph.DeclaredInputs.RemoveAll(i => unused.Contains(i.Name));
        var existing = graph.Nodes.SelectMany(n => n.Outputs).Concat(graph.Initializers.Select(t => t.Name))
            .Concat(graph.DeclaredInputs.Select(i => i.Name)).ToHashSet(StringComparer.Ordinal);
        graph.ValueInfos.RemoveAll(v => !existing.Contains(v.Name));
    }
}

using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup;

/// <summary>
/// Turns Constant nodes into initializers: the form passes (and ONNX Runtime's weight
/// prepacking) look for, and what Conv/Gemm weights exported as Constant nodes need to be seen
/// as weights at all.
/// </summary>
internal static class ConstantNodeLifting
{
    public const string Kind = "Constant → initializer";

    public static int Run(OnnxModel model, CleanupLog log)
    {
        var graph = model.Graph;
        var usage = new GraphUsage(graph);
        var lifted = new HashSet<OnnxNode>();
        foreach (var node in graph.Nodes.Where(n => n is { OpType: "Constant", IsDefaultDomain: true } && n.Outputs.Count == 1))
        {
            var name = node.Outputs[0];
            if (usage.GraphOutputs.Contains(name))
            {
                log.Skip(node, "its value is a graph output; kept as a node so the output stays computed");
                continue;
            }

            // The node's own value: its output has one producer (the loader checks), so looking
            // it up by name through the graph would only rescan every node per Constant.
            if (node.ReadConstantValue() is not { } value)
            {
                log.Skip(node, "its value is a sparse tensor or an attribute reference, which this version does not convert");
                continue;
            }

            value.Name = name;
            Initializers.Add(model, value);
            lifted.Add(node);
            log.Change(Kind, node, $"Constant → initializer {name}: {value.ElementType}[{string.Join(",", value.Dims)}]");
        }

        graph.Nodes.RemoveAll(lifted.Contains);
        return lifted.Count;
    }
}

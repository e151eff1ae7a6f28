using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// Checks a graph and its subgraphs are well formed: no cycles, every name read is produced
/// exactly once (by a node, initializer, graph input or an enclosing graph).
/// </summary>
internal sealed class GraphValidator(string? modelPath)
{
    public void Validate(GraphProto graph) => Validate(graph, new ScopeChain(null, new HashSet<string>()), "main graph");

    private void Validate(GraphProto graph, ScopeChain outer, string where)
    {
        var defined = DefineOnce(graph, where);
        var scope = new ScopeChain(outer, defined);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input)
            {
                if (input.Length > 0 && !scope.Contains(input))
                {
                    throw new OnnxFormatException(OnnxErrorCodes.DanglingValue,
                        $"In the {where}, node '{node.Name}' ({node.OpType}) reads '{input}', which no node, initializer, " +
                        "graph input or enclosing graph produces. Fix or re-export the model.", modelPath);
                }
            }

            foreach (var attribute in node.Attribute)
            {
                foreach (var sub in SubgraphScope.Subgraphs(attribute))
                {
                    Validate(sub, scope, $"subgraph '{attribute.Name}' of node '{node.Name}' ({node.OpType})");
                }
            }
        }

        foreach (var output in graph.Output)
        {
            if (!scope.Contains(output.Name))
            {
                throw new OnnxFormatException(OnnxErrorCodes.DanglingValue,
                    $"In the {where}, output '{output.Name}' is not produced by any node, initializer or input. Fix or re-export the model.", modelPath);
            }
        }

        GraphTopology.Sort(graph.Node, n => n.Input.Concat(n.Attribute.SelectMany(SubgraphScope.Subgraphs).SelectMany(SubgraphScope.FreeNames)),
            n => n.Output, modelPath);
    }

    private HashSet<string> DefineOnce(GraphProto graph, string where)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        DefineEach(graph.Input.Select(i => i.Name), defined, where, "graph input");
        // Older IR versions list initializers among the inputs too, so an initializer may repeat an
        // input's name, but never another initializer's.
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        DefineEach(graph.Initializer.Select(t => t.Name), initializers, where, "initializer");
        DefineEach(graph.SparseInitializer.Where(s => s.Values is not null).Select(s => s.Values.Name), initializers, where, "initializer");
        defined.UnionWith(initializers);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                if (output.Length > 0 && !defined.Add(output))
                {
                    throw new OnnxFormatException(OnnxErrorCodes.DuplicateValue,
                        $"In the {where}, node '{node.Name}' ({node.OpType}) outputs '{output}', which is already produced elsewhere. " +
                        "Every value must have one producer; fix or re-export the model.", modelPath);
                }
            }
        }

        return defined;
    }

    private void DefineEach(IEnumerable<string> names, HashSet<string> defined, string where, string kind)
    {
        foreach (var name in names)
        {
            if (!defined.Add(name))
            {
                throw new OnnxFormatException(OnnxErrorCodes.DuplicateValue,
                    $"In the {where}, two {kind}s are named '{name}'. Every value must have one producer; fix or re-export the model.", modelPath);
            }
        }
    }

    /// <summary>Names visible in a graph: its own, then each enclosing graph's.</summary>
    private sealed class ScopeChain(ScopeChain? parent, HashSet<string> names)
    {
        public bool Contains(string name) => names.Contains(name) || (parent?.Contains(name) ?? false);
    }
}

using Optimizer.Onnx;

namespace Optimizer.Compiler.Build;

/// <summary>
/// The If nodes the compiler refuses before building: those whose condition depends on a graph
/// input (through anything but Shape, whose output is known when the graph is built). Only an If
/// with a compile-time condition is inlined.
/// </summary>
internal static class IfConditions
{
    public static IEnumerable<UnsupportedNode> Refused(OnnxGraph graph)
    {
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            foreach (var output in node.Outputs.Where(o => o.Length > 0))
            {
                producers.TryAdd(output, node);
            }
        }

        var inputs = graph.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var known = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes.Where(n => n.IsDefaultDomain && n.OpType == "If" && n.Inputs.Count > 0))
        {
            if (ReadsInput(node.Inputs[0], producers, inputs, known))
            {
                yield return new UnsupportedNode(GraphBuilder.NameOf(node), "If", "If whose condition is computed at run time (only a constant condition is inlined)");
            }
        }
    }

    /// <summary>Whether <paramref name="value"/> depends on a graph input; an explicit stack, memoized (graphs can be deep).</summary>
    private static bool ReadsInput(string value, Dictionary<string, OnnxNode> producers, HashSet<string> inputs, Dictionary<string, bool> known)
    {
        var stack = new Stack<string>([value]);
        while (stack.Count > 0)
        {
            var name = stack.Peek();
            if (known.ContainsKey(name))
            {
                stack.Pop();
                continue;
            }

            if (inputs.Contains(name) || !producers.TryGetValue(name, out var node) || node.OpType == "Shape")
            {
                known[name] = inputs.Contains(name);
                stack.Pop();
                continue;
            }

            var pending = node.Inputs.Where(i => i.Length > 0 && !known.ContainsKey(i)).ToArray();
            if (pending.Length > 0)
            {
                foreach (var p in pending)
                {
                    stack.Push(p);
                }

                continue;
            }

            known[name] = node.Inputs.Any(i => i.Length > 0 && known[i]);
            stack.Pop();
        }

        return known[value];
    }
}

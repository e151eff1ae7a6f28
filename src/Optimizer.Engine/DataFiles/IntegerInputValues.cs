using Optimizer.Onnx;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// What an integer model input must hold to run meaningfully, read from the graph: ids below the
/// size of every table a Gather reads with them (embeddings, token types), or the constant it is
/// compared to (silero's <c>sr</c> is checked with Equal against 16000). The value is followed
/// through ops that only move or retype it.
/// </summary>
internal static class IntegerInputValues
{
    /// <summary>Ops that pass their first input's values on unchanged (but for type or layout).</summary>
    private static readonly HashSet<string> PassThrough = new(StringComparer.Ordinal)
    {
        "Cast", "Identity", "Unsqueeze", "Squeeze", "Reshape", "Flatten", "Expand", "Transpose", "Slice",
    };

    /// <summary>Gather-like ops: (indices input, data input).</summary>
    private static readonly Dictionary<string, (int Indices, int Data)> Lookups = new(StringComparer.Ordinal)
    {
        ["Gather"] = (1, 0),
        ["GatherElements"] = (1, 0),
    };

    /// <summary>The smallest size of a constant table the input indexes, or null when it indexes none.</summary>
    public static long? TableSize(OnnxGraph graph, string input) =>
        Uses(graph, input).Select(use => TableSize(graph, use.Node, use.Index)).Where(s => s is > 0).Min();

    /// <summary>The first value of a constant the input is compared to with Equal, or null.</summary>
    public static long? ComparedConstant(OnnxGraph graph, string input)
    {
        foreach (var (node, index) in Uses(graph, input))
        {
            if (node is { OpType: "Equal", IsDefaultDomain: true, Inputs.Count: 2 }
                && graph.FindConstant(node.Inputs[1 - index]) is { ElementCount: > 0 } constant
                && constant.ElementType is TensorElementType.Int64 or TensorElementType.Int32)
            {
                return constant.ElementType == TensorElementType.Int64 ? constant.ToInt64Array()[0] : constant.ToInt32Array()[0];
            }
        }

        return null;
    }

    private static long? TableSize(OnnxGraph graph, OnnxNode node, int index)
    {
        if (!node.IsDefaultDomain || !Lookups.TryGetValue(node.OpType, out var lookup) || index != lookup.Indices
            || graph.FindConstant(node.Inputs[lookup.Data]) is not { } table || table.Dims.Count == 0)
        {
            return null;
        }

        var axis = node.FindAttribute("axis")?.Int ?? 0;
        axis = axis < 0 ? axis + table.Dims.Count : axis;
        return axis >= 0 && axis < table.Dims.Count ? table.Dims[(int)axis] : null;
    }

    /// <summary>Every (node, input index) reading the value, following pass-through ops.</summary>
    private static IEnumerable<(OnnxNode Node, int Index)> Uses(OnnxGraph graph, string value)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([value]);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name))
            {
                continue;
            }

            foreach (var node in graph.FindConsumers(name))
            {
                for (var i = 0; i < node.Inputs.Count; i++)
                {
                    if (node.Inputs[i] != name)
                    {
                        continue;
                    }

                    yield return (node, i);
                    if (i == 0 && node.IsDefaultDomain && PassThrough.Contains(node.OpType))
                    {
                        foreach (var output in node.Outputs)
                        {
                            pending.Push(output);
                        }
                    }
                }
            }
        }
    }
}

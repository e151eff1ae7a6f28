namespace Optimizer.Onnx;

/// <summary>Stable topological ordering (Kahn's algorithm, lowest written index first).</summary>
internal static class GraphTopology
{
    /// <summary>
    /// Node indices in dependency order. Names no node in the list produces (graph inputs,
    /// initializers, outer-scope values) impose no order.
    /// </summary>
    /// <exception cref="OnnxFormatException">A cycle (<see cref="OnnxErrorCodes.GraphCycle"/>).</exception>
    public static int[] Sort<T>(IReadOnlyList<T> nodes, Func<T, IEnumerable<string>> inputs, Func<T, IEnumerable<string>> outputs, string? modelPath = null)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var output in outputs(nodes[i]))
            {
                if (output.Length > 0)
                {
                    producer.TryAdd(output, i);
                }
            }
        }

        var pending = new int[nodes.Count];
        var dependents = new List<int>?[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var input in inputs(nodes[i]).Distinct())
            {
                if (input.Length > 0 && producer.TryGetValue(input, out var from))
                {
                    pending[i]++;
                    (dependents[from] ??= new List<int>()).Add(i);
                }
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (pending[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<int>(nodes.Count);
        while (ready.TryDequeue(out var next, out _))
        {
            order.Add(next);
            foreach (var dependent in dependents[next] ?? [])
            {
                if (--pending[dependent] == 0)
                {
                    ready.Enqueue(dependent, dependent);
                }
            }
        }

        if (order.Count < nodes.Count)
        {
            var stuck = Enumerable.Range(0, nodes.Count).First(i => pending[i] > 0);
            throw new OnnxFormatException(OnnxErrorCodes.GraphCycle,
                $"The graph has a cycle: node #{stuck} ({nodes[stuck]}) depends, through other nodes, on its own output. " +
                "A model's nodes must form a directed acyclic graph; fix or re-export the model.", modelPath);
        }

        return order.ToArray();
    }
}

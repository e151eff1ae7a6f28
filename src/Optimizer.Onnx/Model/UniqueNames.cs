namespace Optimizer.Onnx;

/// <summary>
/// Hands out value and node names no part of a graph (including its subgraphs) uses. Take one
/// per pass run instead of calling <see cref="OnnxGraph.CreateUniqueName"/> repeatedly, which
/// rescans the graph each time.
/// </summary>
public sealed class UniqueNames
{
    private readonly HashSet<string> _used;

    /// <summary>Starts from every name <paramref name="graph"/> uses now.</summary>
    public UniqueNames(OnnxGraph graph) => _used = GraphNames.AllNames(graph);

    /// <summary><paramref name="prefix"/> itself if free, else <c>prefix_1</c>, <c>prefix_2</c>, …; the name is then taken.</summary>
    public string Next(string prefix)
    {
        var candidate = prefix;
        for (var i = 1; !_used.Add(candidate); i++)
        {
            candidate = $"{prefix}_{i}";
        }

        return candidate;
    }
}

using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization.Recurrent;

/// <summary>
/// A graph being rewritten with the graphs around it: an If/Loop/Scan body reads names of the
/// enclosing graphs (silero's Conv weights are initializers of the main graph, its LSTM weights
/// initializers of the branch), so a name resolves in the innermost graph that defines it.
/// </summary>
internal sealed class GraphScope
{
    private GraphScope(OnnxGraph graph, GraphScope? outer, string path)
    {
        Graph = graph;
        Outer = outer;
        Path = path;
    }

    /// <summary>The graph whose nodes are rewritten.</summary>
    public OnnxGraph Graph { get; }

    /// <summary>The enclosing graph's scope, or null for the main graph.</summary>
    public GraphScope? Outer { get; }

    /// <summary>Where the graph sits, e.g. <c>If_25/then_branch</c>; empty for the main graph.</summary>
    public string Path { get; }

    public static GraphScope Main(OnnxGraph graph) => new(graph, null, "");

    /// <summary>The scope of a subgraph held by attribute <paramref name="attribute"/> of <paramref name="owner"/> in this graph.</summary>
    public GraphScope Enter(OnnxGraph subgraph, OnnxNode owner, string attribute) =>
        new(subgraph, this, $"{(Path.Length > 0 ? Path + "/" : "")}{QdqPlanner.NameOf(owner)}/{attribute}");

    /// <summary>The report name of a node of this graph: its name, after the path of the subgraph it sits in.</summary>
    public string NameOf(OnnxNode node) => Path.Length > 0 ? $"{Path}/{QdqPlanner.NameOf(node)}" : QdqPlanner.NameOf(node);

    /// <summary>
    /// The constant <paramref name="name"/> refers to here and the graph that holds it; null when the
    /// innermost graph defining it computes it, takes it as an input, or no graph defines it.
    /// </summary>
    public (OnnxTensor Value, OnnxGraph Owner)? FindConstant(string name)
    {
        var scope = DefiningScope(name);
        return scope?.Graph.FindConstant(name) is { } value ? (value, scope.Graph) : null;
    }

    /// <summary>The element type annotated for <paramref name="name"/> in the graph defining it or in this one, or null when unknown.</summary>
    public TensorElementType? ElementTypeOf(string name)
    {
        var annotation = DefiningScope(name)?.Graph.FindValueInfo(name) ?? Graph.FindValueInfo(name);
        return annotation?.Type?.ElementType;
    }

    private GraphScope? DefiningScope(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Outer)
        {
            var graph = scope.Graph;
            if (graph.FindInitializer(name) is not null || graph.DeclaredInputs.Any(i => i.Name == name) || graph.FindProducer(name) is not null)
            {
                return scope;
            }
        }

        return null;
    }
}

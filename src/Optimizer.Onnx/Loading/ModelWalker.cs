using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>Visits every graph and tensor a model holds, including subgraphs, functions and training graphs.</summary>
internal static class ModelWalker
{
    /// <summary>Every graph with its subgraph depth (the main graph is depth 0).</summary>
    public static IEnumerable<(GraphProto Graph, int Depth)> Graphs(ModelProto model)
    {
        var roots = new List<GraphProto>();
        if (model.Graph is not null)
        {
            roots.Add(model.Graph);
        }

        foreach (var training in model.TrainingInfo)
        {
            if (training.Initialization is not null) roots.Add(training.Initialization);
            if (training.Algorithm is not null) roots.Add(training.Algorithm);
        }

        var stack = new Stack<(GraphProto, int)>(roots.Select(g => (g, 0)));
        foreach (var function in model.Functions)
        {
            foreach (var sub in function.Node.SelectMany(n => n.Attribute).SelectMany(SubgraphScope.Subgraphs))
            {
                stack.Push((sub, 1));
            }
        }

        while (stack.Count > 0)
        {
            var (graph, depth) = stack.Pop();
            yield return (graph, depth);
            foreach (var sub in graph.Node.SelectMany(n => n.Attribute).SelectMany(SubgraphScope.Subgraphs))
            {
                stack.Push((sub, depth + 1));
            }
        }
    }

    /// <summary>Every tensor in the model: initializers, sparse tensors' parts and attribute tensors.</summary>
    public static IEnumerable<TensorProto> Tensors(ModelProto model)
    {
        foreach (var (graph, _) in Graphs(model))
        {
            foreach (var t in graph.Initializer) yield return t;
        }

        foreach (var attribute in Attributes(model))
        {
            if (attribute.T is not null) yield return attribute.T;
            foreach (var t in attribute.Tensors) yield return t;
        }

        foreach (var sparse in SparseTensors(model))
        {
            if (sparse.Values is not null) yield return sparse.Values;
            if (sparse.Indices is not null) yield return sparse.Indices;
        }
    }

    /// <summary>Every sparse tensor in the model: sparse initializers and attribute sparse tensors.</summary>
    public static IEnumerable<SparseTensorProto> SparseTensors(ModelProto model)
    {
        foreach (var (graph, _) in Graphs(model))
        {
            foreach (var s in graph.SparseInitializer) yield return s;
        }

        foreach (var attribute in Attributes(model))
        {
            if (attribute.SparseTensor is not null) yield return attribute.SparseTensor;
            foreach (var s in attribute.SparseTensors) yield return s;
        }
    }

    private static IEnumerable<AttributeProto> Attributes(ModelProto model) =>
        Graphs(model).SelectMany(g => g.Graph.Node).Concat(model.Functions.SelectMany(f => f.Node)).SelectMany(n => n.Attribute);
}

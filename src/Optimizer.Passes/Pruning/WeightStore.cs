using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning;

/// <summary>Writes new values for a constant a node reads, without disturbing other readers.</summary>
internal static class WeightStore
{
    /// <summary>Replaces initializer <paramref name="original"/> in place (same name, position).</summary>
    public static void Replace(OnnxGraph graph, OnnxTensor original, IReadOnlyList<long> dims, float[] values)
    {
        var index = graph.Initializers.IndexOf(original);
        graph.Initializers[index] = OnnxTensor.FromFloats(original.Name, dims, values);
    }

    /// <summary>
    /// Gives <paramref name="node"/>'s input <paramref name="inputIndex"/> new float32 values: in place
    /// when this is the constant's only use, else as a new initializer so other readers keep the old one.
    /// </summary>
    public static void ReplaceInput(OnnxGraph graph, OnnxNode node, int inputIndex, IReadOnlyList<long> dims, float[] values) =>
        ReplaceInput(graph, node, inputIndex, name => OnnxTensor.FromFloats(name, dims, values));

    /// <summary>As above, for a constant of any type: <paramref name="create"/> makes the new tensor under the name it is given.</summary>
    public static void ReplaceInput(OnnxGraph graph, OnnxNode node, int inputIndex, Func<string, OnnxTensor> create)
    {
        var name = node.Inputs[inputIndex];
        var original = graph.FindInitializer(name)!;
        var uses = graph.Nodes.Sum(n => n.Inputs.Count(i => i == name));
        if (uses == 1 && !graph.IsUsedOutsideExplicitInputs(name))
        {
            graph.Initializers[graph.Initializers.IndexOf(original)] = create(name);
            return;
        }

        var newName = graph.CreateUniqueName(name + "_pruned");
        graph.Initializers.Add(create(newName));
        node.Inputs[inputIndex] = newName;
        graph.RemoveInitializerIfUnused(name);
    }
}

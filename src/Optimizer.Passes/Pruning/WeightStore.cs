using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning;

/// <summary>Writes new float32 values for a constant a node reads, without disturbing other readers.</summary>
internal static class WeightStore
{
    /// <summary>Replaces initializer <paramref name="original"/> in place (same name, position).</summary>
    public static void Replace(OnnxGraph graph, OnnxTensor original, IReadOnlyList<long> dims, float[] values)
    {
        var index = graph.Initializers.IndexOf(original);
        graph.Initializers[index] = OnnxTensor.FromFloats(original.Name, dims, values);
    }

    /// <summary>
    /// Gives <paramref name="node"/>'s input <paramref name="inputIndex"/> new values: in place
    /// when this is the constant's only use, else as a new initializer so other readers keep the old one.
    /// </summary>
    public static void ReplaceInput(OnnxGraph graph, OnnxNode node, int inputIndex, IReadOnlyList<long> dims, float[] values)
    {
        var name = node.Inputs[inputIndex];
        var original = graph.FindInitializer(name)!;
        var uses = graph.Nodes.Sum(n => n.Inputs.Count(i => i == name));
        if (uses == 1 && !graph.IsUsedOutsideExplicitInputs(name))
        {
            Replace(graph, original, dims, values);
            return;
        }

        var newName = graph.CreateUniqueName(name + "_pruned");
        graph.Initializers.Add(OnnxTensor.FromFloats(newName, dims, values));
        node.Inputs[inputIndex] = newName;
        graph.RemoveInitializerIfUnused(name);
    }
}

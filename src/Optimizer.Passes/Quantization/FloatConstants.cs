using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>Drops the float originals that a quantization pass replaced.</summary>
internal static class FloatConstants
{
    /// <summary>Removes the initializer or Constant node <paramref name="name"/> once nothing reads it.</summary>
    public static void RemoveIfUnused(OnnxGraph graph, string name)
    {
        if (graph.FindInitializer(name) is not null)
        {
            graph.RemoveInitializerIfUnused(name);
        }
        else if (graph.FindProducer(name) is { OpType: "Constant" } constant
                 && graph.FindConsumers(name).Count == 0 && !graph.IsUsedOutsideExplicitInputs(name))
        {
            graph.Nodes.Remove(constant);
        }
    }
}

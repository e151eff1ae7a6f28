using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning;

/// <summary>
/// A Conv, Gemm or MatMul whose weight is a constant float32 initializer, with the weight's
/// layout: which axis indexes output channels (filters / output units) and which one the
/// layer reduces over (input channels / input features).
/// </summary>
internal sealed record PrunableLayer(OnnxNode Node, OnnxTensor Weight, int OutputAxis, int ReductionAxis)
{
    public const int WeightInput = 1;

    public string Name => LayerNames.Of(Node);

    public string WeightName => Weight.Name;

    public int OutputChannels => (int)Weight.Dims[OutputAxis];

    public static bool IsCandidate(OnnxNode node) => node.IsDefaultDomain && node.OpType is "Conv" or "Gemm" or "MatMul";

    /// <summary>Describes <paramref name="node"/> as a prunable layer, or says why it is not one.</summary>
    public static (PrunableLayer? Layer, string? Reason) Describe(OnnxGraph graph, OnnxNode node)
    {
        if (node.Inputs.Count <= WeightInput || node.Inputs[WeightInput].Length == 0)
        {
            return (null, "has no weight input");
        }

        var weightName = node.Inputs[WeightInput];
        var weight = graph.FindInitializer(weightName);
        if (weight is null || graph.DeclaredInputs.Any(i => i.Name == weightName))
        {
            return (null, $"weight '{weightName}' is not a constant initializer (a graph input, a Constant node or computed at run time; Cleanup turns Constant nodes into initializers)");
        }

        if (weight.ElementType != TensorElementType.Float)
        {
            return (null, $"weight '{weightName}' is {weight.ElementType}; only float32 weights are pruned");
        }

        return node.OpType switch
        {
            "Conv" when weight.Dims.Count >= 3 => (new PrunableLayer(node, weight, 0, 1), null),
            "Gemm" when weight.Dims.Count == 2 => GemmLayout(node, weight),
            "MatMul" when weight.Dims.Count == 2 => (new PrunableLayer(node, weight, 1, 0), null),
            _ => (null, $"weight '{weightName}' has rank {weight.Dims.Count}, not the layout this pass prunes"),
        };
    }

    private static (PrunableLayer?, string?) GemmLayout(OnnxNode node, OnnxTensor weight)
    {
        // B is [K, N], or [N, K] with transB=1; the output units are N either way.
        var transB = node.FindAttribute("transB")?.Int ?? 0;
        return transB != 0 ? (new PrunableLayer(node, weight, 0, 1), null) : (new PrunableLayer(node, weight, 1, 0), null);
    }
}

/// <summary>How reports name a node: its name, or its first output's name when it has none.</summary>
internal static class LayerNames
{
    public static string Of(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault() ?? node.OpType;
}

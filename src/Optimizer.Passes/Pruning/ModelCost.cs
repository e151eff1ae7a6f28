// Parameters and FLOPs, to show that channel pruning made the model really smaller. FLOPs are
// 2 × multiply-accumulates of Conv/Gemm/MatMul for one sample (unknown batch dimensions count
// as 1), the convention of most papers and of fvcore/ptflops; other ops are comparatively free.

using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning;

/// <summary>Parameter and FLOP counts of a layer or a whole graph.</summary>
internal readonly record struct Cost(long Parameters, long Flops)
{
    public static Cost operator +(Cost a, Cost b) => new(a.Parameters + b.Parameters, a.Flops + b.Flops);
}

/// <summary>Counts parameters (float initializer elements) and Conv/Gemm/MatMul FLOPs.</summary>
internal static class ModelCost
{
    public static Cost OfGraph(OnnxGraph graph)
    {
        var shapes = StaticShapes.Infer(graph);
        var parameters = graph.Initializers.Where(t => t.ElementType == TensorElementType.Float).Sum(t => t.ElementCount);
        var flops = graph.Nodes.Sum(n => Flops(n, shapes));
        return new Cost(parameters, flops);
    }

    /// <summary>Each Conv/Gemm/MatMul's own constant inputs and FLOPs.</summary>
    public static Dictionary<OnnxNode, Cost> PerLayer(OnnxGraph graph)
    {
        var shapes = StaticShapes.Infer(graph);
        return graph.Nodes.Where(PrunableLayer.IsCandidate).ToDictionary(n => n, n => new Cost(
            n.Inputs.Skip(1).Select(graph.FindInitializer).Sum(t => t?.ElementCount ?? 0), Flops(n, shapes)));
    }

    private static long Flops(OnnxNode node, StaticShapes shapes)
    {
        if (!PrunableLayer.IsCandidate(node) || node.Inputs.Count < 2 || shapes.Of(node.Outputs[0]) is not { } output)
        {
            return 0;
        }

        var outputElements = OneSample(output);
        var weight = shapes.Of(node.Inputs[1]);
        var input = shapes.Of(node.Inputs[0]);
        long? reduction = node.OpType switch
        {
            // Each Conv output element reduces over C/group × kernel positions: the weight's trailing dims.
            "Conv" => weight is { Length: > 1 } ? StaticShapes.Product(weight.Skip(1)) : null,
            "Gemm" => input is { Length: 2 } ? input[(node.FindAttribute("transA")?.Int ?? 0) != 0 ? 0 : 1] : null,
            _ => input is { Length: > 0 } ? input[^1] : null,
        };
        return 2 * outputElements * (reduction ?? 0);
    }

    // The first dimension is the batch (Conv's N, Gemm's rows); a rank-1 value has none.
    private static long OneSample(long?[] shape) =>
        shape.Length == 1 ? shape[0] ?? 1 : shape.Skip(1).Aggregate(1L, (a, d) => a * (d ?? 1));
}

using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning;

/// <summary>
/// Finds the layers a prune may touch in the main graph and says why each other candidate is
/// left alone (excluded by the user, weight not a constant, weight already pruned through
/// another node that shares it, inside a subgraph).
/// </summary>
internal static class PrunableLayerFinder
{
    public static (List<PrunableLayer> Layers, List<PassSkip> Skipped) Find(OnnxGraph graph, LayerExclusions exclusions)
    {
        var layers = new List<PrunableLayer>();
        var skipped = new List<PassSkip>();
        var all = new List<PrunableLayer>();
        var weightOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes.Where(PrunableLayer.IsCandidate))
        {
            var (layer, reason) = PrunableLayer.Describe(graph, node);
            if (layer is null)
            {
                skipped.Add(new PassSkip(LayerNames.Of(node), reason!));
                continue;
            }

            all.Add(layer);
            if (exclusions.Match(layer) is { } entry)
            {
                skipped.Add(new PassSkip(layer.Name, $"excluded by Exclude entry '{entry}'"));
            }
            else if (!weightOwners.TryAdd(layer.WeightName, layer.Name))
            {
                skipped.Add(new PassSkip(layer.Name, $"shares weight '{layer.WeightName}' with {weightOwners[layer.WeightName]}, where it is pruned once"));
            }
            else
            {
                layers.Add(layer);
            }
        }

        skipped.AddRange(exclusions.Unmatched(all).Select(e => new PassSkip(e, "this Exclude entry matches no Conv/Gemm/MatMul layer; check the name")));
        skipped.AddRange(SubgraphCandidates(graph));
        return (layers, skipped);
    }

    private static IEnumerable<PassSkip> SubgraphCandidates(OnnxGraph graph) =>
        graph.Nodes.SelectMany(owner => owner.Attributes.Where(a => a.HasSubgraphs).SelectMany(a => a.ReadSubgraphs())
            .SelectMany(g => g.Nodes).Where(PrunableLayer.IsCandidate)
            .Select(n => new PassSkip(LayerNames.Of(n), $"inside a subgraph of {LayerNames.Of(owner)} ({owner.OpType}); this version prunes the main graph only")));
}

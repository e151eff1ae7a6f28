// Structured channel (filter) pruning: removes whole output channels of Conv layers and output
// units of Gemm/MatMul layers, chosen by the smallest L1 or L2 filter norm, and rewrites every
// consumer so the saved model really has fewer parameters and FLOPs (not just zeros).
//
// Layers are pruned one at a time in graph order, each by the same fraction (filter norms of
// different layers are not comparable without fine-tuning, so Scope=Global ranks within each
// layer too). Shapes are re-derived before each layer because the previous one may have
// shrunk its input channels. A layer producing a graph output keeps its channels (they are the
// model's outputs, e.g. the classifier's logits); every layer keeps at least one channel.
//
// On a transformer encoder the channels are the FFN's intermediate neurons (Encoders/EncoderPruning.cs):
// the blocks are found by pattern first, their neurons removed, and their MatMuls (and the attention
// projections, whose widths are heads: Structure=AttentionHead) left out of the layer-by-layer tracing,
// which could not prune them (Shape reads their widths, residual joins tie them together).

using Optimizer.Onnx;
using Optimizer.Passes.Pruning.Encoders;

namespace Optimizer.Passes.Pruning;

/// <summary>Removes the weakest output channels of Conv/Gemm/MatMul layers and everything downstream that read them.</summary>
internal sealed class ChannelPruning(PruneSettings settings, PassContext? context = null) : IModelPass
{
    private const string GraphOutputReason = "produces a graph output, so its channels are the model's outputs (e.g. the classifier's logits)";
    private const string AttentionReason = "an encoder attention projection: its width is heads (Structure=AttentionHead prunes them), Channel prunes the FFN neurons";

    public int Stage => PrunePass.Stage;

    public PassReport Run(OnnxModel model)
    {
        var graph = model.Graph;
        var costBefore = ModelCost.OfGraph(graph);
        var layerCostBefore = ModelCost.PerLayer(graph);
        var (layers, skipped) = PrunableLayerFinder.Find(graph, settings.Exclusions);
        var encoder = EncoderBlockFinder.Find(model, layers);
        var neurons = encoder.Ffns.Count == 0 ? EncoderPruneResult.None
            : EncoderPruning.PruneNeurons(graph, encoder, EncoderImportance.Measure(model, encoder.Ffns, [], settings, context ?? PassContext.Empty), settings.Sparsity);
        var prunedChannels = new Dictionary<OnnxNode, string>();
        var touched = new HashSet<OnnxNode>();
        var unpruned = new List<PassSkip>();
        skipped.AddRange(encoder.Attentions.SelectMany(a => a.Splits.Select(s => s.Projection.MatMul).Append(a.Output.MatMul))
            .Select(n => new PassSkip(LayerNames.Of(n), AttentionReason)));
        layers = layers.Where(l => !encoder.Layers.Contains(l.Node)).ToList();

        foreach (var node in graph.GetTopologicalOrder().Where(n => layers.Any(l => l.Node == n)))
        {
            var (outcome, reason) = TryPrune(graph, node, touched);
            if (outcome is not null)
            {
                prunedChannels[node] = outcome;
            }
            else
            {
                unpruned.Add(new PassSkip(LayerNames.Of(node), reason!));
            }
        }

        skipped.AddRange(unpruned);

        var layerCostAfter = ModelCost.PerLayer(graph);
        var changed = neurons.Changed.Concat(graph.Nodes.Where(n => prunedChannels.ContainsKey(n) || touched.Contains(n))
            .Select(n => new PassChange(LayerNames.Of(n), Describe(n, prunedChannels.GetValueOrDefault(n), layerCostBefore[n], layerCostAfter[n]))))
            .ToList();
        var (pruned, candidates) = (prunedChannels.Count + neurons.BlocksPruned, layers.Count + neurons.Blocks);
        return new PassReport(PrunePass.Name, Summary(pruned, candidates, costBefore, ModelCost.OfGraph(graph), skipped.Count, neurons), changed, skipped)
        {
            Shortfall = Shortfall(pruned, candidates, candidates == 0 ? skipped : unpruned),
        };
    }

    private (string? Outcome, string? Reason) TryPrune(OnnxGraph graph, OnnxNode node, HashSet<OnnxNode> touched)
    {
        // Re-read the layer: pruning an earlier layer may have replaced its weight.
        var (layer, reason) = PrunableLayer.Describe(graph, node);
        if (layer is null)
        {
            return (null, reason);
        }

        if (node.OpType == "Conv" && (node.FindAttribute("group")?.Int ?? 1) != 1)
        {
            return (null, $"grouped/depthwise Conv (group={node.FindAttribute("group")!.Int}); its filters are tied to input groups, not pruned in this version");
        }

        if (graph.Outputs.Any(o => node.Outputs.Contains(o.Name)))
        {
            return (null, GraphOutputReason);
        }

        var channels = layer.OutputChannels;
        var keepCount = Math.Max(1, channels - (int)Math.Floor(settings.Sparsity * channels));
        if (keepCount == channels)
        {
            return (null, $"has {channels} output channel(s); {Percent.Of(settings.Sparsity)} of them rounds to none");
        }

        var keep = FilterRanking.Keep(layer.Weight.ToFloatArray(), layer.Weight.Dims, layer.OutputAxis, settings.Norm, keepCount);
        var (plan, traceProblem) = new ChannelTracer(graph, StaticShapes.Infer(graph)).Trace(layer, keep);
        if (plan is null)
        {
            return (null, traceProblem);
        }

        plan.Apply(graph);
        touched.UnionWith(plan.ShrunkConsumers);
        return ($"{keepCount} of {channels} output channels kept ({settings.Norm} norm)", null);
    }

    private static string Describe(OnnxNode node, string? channels, Cost before, Cost after)
    {
        var figures = $"params {before.Parameters} → {after.Parameters}, FLOPs {before.Flops} → {after.Flops}";
        return channels is null ? $"input channels reduced; {figures}" : $"{channels}; {figures}";
    }

    /// <summary>
    /// Fewer layers pruned than could be: any layer left for a reason other than producing a graph output
    /// (kept by design, see the header), or no layer at all (with no candidates, the finder's reasons).
    /// </summary>
    private static PassShortfall? Shortfall(int pruned, int candidates, List<PassSkip> unpruned)
    {
        var heldBack = unpruned.Where(s => s.Reason != GraphOutputReason).ToList();
        return pruned == 0 || heldBack.Count > 0 ? PassShortfall.FromSkips($"pruned {pruned} of {candidates} layers", pruned == 0 ? unpruned : heldBack) : null;
    }

    private string Summary(int pruned, int candidates, Cost before, Cost after, int skipped, EncoderPruneResult neurons)
    {
        var scopeNote = settings.Scope == PruneScope.Global ? " (filters ranked within each layer)" : "";
        var encoderNote = neurons.Blocks == 0 ? ""
            : $" (encoder FFNs: {neurons.UnitsRemoved} of {neurons.Units} neurons removed from {neurons.BlocksPruned} of {neurons.Blocks} blocks, same fraction per block, ranked by {neurons.Ranking})";
        return $"Channel {settings.Norm} {Percent.Of(settings.Sparsity)}{scopeNote}: {pruned} of {candidates} layers pruned{encoderNote}, " +
               $"params {before.Parameters} → {after.Parameters} ({Reduction(before.Parameters, after.Parameters)}), " +
               $"FLOPs {before.Flops} → {after.Flops} ({Reduction(before.Flops, after.Flops)})" +
            (skipped > 0 ? $", {skipped} skipped" : "");
    }

    private static string Reduction(long before, long after) =>
        before == 0 ? "n/a" : after >= before ? "unchanged" : "-" + Percent.Of(1 - (double)after / before);
}

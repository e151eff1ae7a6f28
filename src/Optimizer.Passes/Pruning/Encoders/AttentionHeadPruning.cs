using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning.Encoders;

/// <summary><c>Structure = AttentionHead</c>: removes the weakest heads of every self-attention block (EncoderPruning.cs says how many and why per block).</summary>
internal sealed class AttentionHeadPruning(PruneSettings settings, PassContext? context = null) : IModelPass
{
    public int Stage => PrunePass.Stage;

    public PassReport Run(OnnxModel model)
    {
        var graph = model.Graph;
        var (layers, skipped) = PrunableLayerFinder.Find(graph, settings.Exclusions);
        var blocks = EncoderBlockFinder.Find(model, layers);
        var importance = EncoderImportance.Measure(model, [], blocks.Attentions, settings, context ?? PassContext.Empty);
        var paramsBefore = ModelCost.OfGraph(graph).Parameters;
        var heads = EncoderPruning.PruneHeads(graph, blocks, importance, settings.Sparsity);

        // Only what concerns heads: the blocks refused and the user's Exclude entries (other MatMuls are not candidates here).
        var notes = blocks.Refused.Concat(skipped.Where(s => s.Reason.Contains("Exclude entry", StringComparison.Ordinal))).ToList();
        var paramsAfter = ModelCost.OfGraph(graph).Parameters;
        var summary = $"AttentionHead {Percent.Of(settings.Sparsity)}: {heads.UnitsRemoved} of {heads.Units} heads removed from {heads.BlocksPruned} of {heads.Blocks} attention blocks" +
            (heads.Blocks == 0 ? "" : $", same fraction per block, ranked by {heads.Ranking}") + $", params {paramsBefore} → {paramsAfter}" +
            (notes.Count > 0 ? $", {notes.Count} skipped" : "");
        var shortfall = heads.BlocksPruned == 0 || blocks.Refused.Count > 0
            ? PassShortfall.FromSkips($"pruned {heads.BlocksPruned} of {heads.Blocks + blocks.Refused.Count} attention blocks",
                notes.Count > 0 ? notes : [new PassSkip(model.Graph.Name, heads.Blocks == 0
                    ? "no self-attention block (Q/K/V MatMul → Reshape [b, s, H, d] → Transpose … → Reshape [b, s, H·d] → MatMul) was found"
                    : $"{Percent.Of(settings.Sparsity)} of each block's heads rounds to none")])
            : null;
        return new PassReport(PrunePass.Name, summary, heads.Changed, notes) { Shortfall = shortfall };
    }
}

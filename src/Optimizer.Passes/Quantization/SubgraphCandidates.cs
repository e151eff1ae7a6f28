using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>
/// Candidate nodes inside subgraphs (If/Loop/Scan bodies, at any depth), reported as skipped: the
/// quantizers rewrite the main graph only, and a model whose layers all sit in subgraphs (silero's
/// If branches) must say so rather than quantize nothing silently.
/// </summary>
internal static class SubgraphCandidates
{
    public static IEnumerable<PassSkip> Skips(OnnxGraph graph, Func<OnnxNode, bool> isCandidate) =>
        graph.Nodes.SelectMany(owner => owner.Attributes.Where(a => a.HasSubgraphs).SelectMany(a => a.ReadSubgraphs())
            .SelectMany(AllNodes).Where(isCandidate)
            .Select(n => new PassSkip(QdqPlanner.NameOf(n), $"inside a subgraph of {QdqPlanner.NameOf(owner)} ({owner.OpType}); this version quantizes the main graph only")));

    private static IEnumerable<OnnxNode> AllNodes(OnnxGraph graph) =>
        graph.Nodes.Concat(graph.Nodes.SelectMany(n => n.Attributes).Where(a => a.HasSubgraphs).SelectMany(a => a.ReadSubgraphs()).SelectMany(AllNodes));
}

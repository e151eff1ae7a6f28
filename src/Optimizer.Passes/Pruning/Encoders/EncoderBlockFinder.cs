using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning.Encoders;

/// <summary>The transformer encoder blocks of a graph, found by pattern (FfnBlock.cs, AttentionBlock.cs), and the attention blocks refused, with why.</summary>
internal sealed record EncoderBlocks(IReadOnlyList<FfnBlock> Ffns, IReadOnlyList<AttentionBlock> Attentions, IReadOnlyList<PassSkip> Refused)
{
    /// <summary>The MatMul layers that belong to a found block (their widths are the encoder's business, not the generic channel tracer's).</summary>
    public IReadOnlySet<OnnxNode> Layers { get; } = Ffns.SelectMany(f => new[] { f.Up.MatMul, f.Down.MatMul })
        .Concat(Attentions.SelectMany(a => a.Splits.Select(s => s.Projection.MatMul).Append(a.Output.MatMul))).ToHashSet();
}

/// <summary>Finds FFN pairs and self-attention blocks among the prunable layers.</summary>
internal static class EncoderBlockFinder
{
    public static EncoderBlocks Find(OnnxModel model, IReadOnlyList<PrunableLayer> layers)
    {
        var graph = model.Graph;
        var byNode = layers.ToDictionary(l => l.Node);
        var order = graph.GetTopologicalOrder();
        var projections = order.Select(n => Projection.Of(graph, n, byNode)).OfType<Projection>().ToList();
        var ffns = projections.Select(p => FfnBlock.From(graph, p, order, byNode)).OfType<FfnBlock>().ToList();
        if (!projections.Any(p => graph.FindProducer(p.MatMul.Inputs[0]) is { OpType: "Reshape" }))
        {
            return new EncoderBlocks(ffns, [], []); // no head merge anywhere: not an attention model, no shape inference needed
        }

        var types = ShapeInference.Infer(model);
        var reader = new AttentionBlockReader(graph, byNode, v => types.GetValueOrDefault(v));
        var attentions = new List<AttentionBlock>();
        var refused = new List<PassSkip>();
        foreach (var projection in projections)
        {
            var (block, reason) = reader.Read(projection);
            if (block is not null)
            {
                attentions.Add(block);
            }
            else if (reason is not null)
            {
                refused.Add(new PassSkip(LayerNames.Of(projection.MatMul), $"attention block not pruned: {reason}"));
            }
        }

        return new EncoderBlocks(ffns, attentions, refused);
    }
}

using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning.Encoders;

/// <summary>
/// Reads the self-attention block ending at an output projection (AttentionBlock.cs draws it), walking
/// back from the projection's input. Says why when the block looks like attention but cannot be pruned.
/// </summary>
internal sealed class AttentionBlockReader(OnnxGraph graph, IReadOnlyDictionary<OnnxNode, PrunableLayer> layers, Func<string, ValueTypeInfo?> typeOf)
{
    private const int HeadAxis = -3; // [b, H, s, d], [b, H, d, s], [b, H, s, s]
    private const int SplitHeadAxis = -2; // [b, s, H, d]
    private const int FeatureAxis = -1; // [b, s, H·d]

    private static readonly long[] SwapHeadsAndSequence = [0, 2, 1, 3];
    private static readonly long[] KeyTransposed = [0, 2, 3, 1];
    private static readonly long[] SwapLastTwo = [0, 1, 3, 2];
    private static readonly HashSet<string> ScoreOps = ["Add", "Sub", "Mul", "Div", "Where", "Softmax", "Identity", "Dropout", "Cast"];

    private readonly List<(string Value, int AxisFromEnd)> _headValues = new();
    private readonly HeadBroadcast _heads = new(graph, typeOf);

    /// <summary>
    /// The block whose output projection is <paramref name="output"/>; (null, null) when its input is not a head merge
    /// (Reshape ← Transpose ← MatMul of probabilities and values), (null, reason) when it is one that cannot be pruned.
    /// </summary>
    public (AttentionBlock? Block, string? Reason) Read(Projection output)
    {
        _headValues.Clear();
        if (Producer(output.MatMul.Inputs[0]) is not { OpType: "Reshape" } merge
            || Producer(merge.Inputs[0]) is not { OpType: "Transpose" } back || !Perm(back).SequenceEqual(SwapHeadsAndSequence)
            || Producer(back.Inputs[0]) is not { OpType: "MatMul" } weighted || weighted.Inputs.Any(i => graph.FindInitializer(i) is not null))
        {
            return (null, null);
        }

        var problem = Exclusive(merge.Outputs[0], output.MatMul) ?? Exclusive(back.Outputs[0], merge) ?? Exclusive(weighted.Outputs[0], back);
        if (problem is not null)
        {
            return (null, problem);
        }

        _headValues.AddRange([(merge.Outputs[0], FeatureAxis), (back.Outputs[0], SplitHeadAxis), (weighted.Outputs[0], HeadAxis)]);
        var (value, valueProblem) = Split(weighted.Inputs[1], weighted, [SwapHeadsAndSequence]);
        var (scores, scoresProblem) = Scores(weighted.Inputs[0], weighted);
        if (value is null || scores is null)
        {
            return (null, valueProblem ?? scoresProblem);
        }

        var (query, queryProblem) = Split(SkipScaling(scores.Inputs[0], scores, out var scaled), scaled ?? scores, [SwapHeadsAndSequence]);
        var (key, keyProblem) = Split(SkipScaling(scores.Inputs[1], scores, out var keyScaled), keyScaled ?? scores, [KeyTransposed], [SwapLastTwo, SwapHeadsAndSequence]);
        if (query is null || key is null)
        {
            return (null, queryProblem ?? keyProblem);
        }

        return Sizes(query, key, value, output, merge, weighted.Outputs[0]);
    }

    // The head count and size the three splits agree on, the merge's width, and the output projection's input width.
    private (AttentionBlock?, string?) Sizes(HeadSplit query, HeadSplit key, HeadSplit value, Projection output, OnnxNode merge, string context)
    {
        var sizes = new[] { query, key, value }.Select(HeadSizes).ToList();
        if (sizes.FirstOrDefault(s => s.Reason is not null).Reason is { } reason)
        {
            return (null, reason);
        }

        if (sizes.Select(s => (s.Heads, s.HeadSize)).Distinct().Count() != 1)
        {
            return (null, $"Q, K and V split into different heads ({string.Join(", ", sizes.Select(s => $"{s.Heads}×{s.HeadSize}"))})");
        }

        var (heads, headSize) = (sizes[0].Heads, sizes[0].HeadSize);
        if (output.InputWidth != heads * headSize)
        {
            return (null, $"the output projection reads {output.InputWidth} features, not the {heads}×{headSize} the heads give");
        }

        var (mergeShape, mergeReason) = ShapeEntries.Of(graph, merge);
        if (mergeShape is not { Count: 3 } || mergeShape[2].Value is not { } width || (width != heads * headSize && width != -1))
        {
            return (null, $"the head merge Reshape '{LayerNames.Of(merge)}' " + (mergeReason ?? $"does not end in {heads * headSize} or -1"));
        }

        var headValues = _headValues.Distinct().Select(v => new HeadAxis(v.Value, v.AxisFromEnd, v.AxisFromEnd == FeatureAxis ? headSize : 1)).ToList();
        return (new AttentionBlock(query, key, value, output, merge, mergeShape, heads, headSize, context, headValues), null);
    }

    private static (int Heads, int HeadSize, string? Reason) HeadSizes(HeadSplit split)
    {
        var width = split.Projection.OutputWidth;
        var name = $"the head split Reshape '{LayerNames.Of(split.Reshape)}'";
        if (split.Shape.Count != 4)
        {
            return (0, 0, $"{name} gives rank {split.Shape.Count}, not [batch, sequence, heads, head size]");
        }

        return (split.Shape[2].Value, split.Shape[3].Value) switch
        {
            (null, _) => (0, 0, $"{name} computes its head count at run time; only a constant head count can be rewritten"),
            ( > 0 and var h, > 0 and var d) when h * d == width => ((int)h, (int)d, null),
            (-1, > 0 and var d) when width % d == 0 => ((int)(width / d), (int)d, null),
            ( > 0 and var h, -1) when width % h == 0 => ((int)h, (int)(width / h), null),
            var (h, d) => (0, 0, $"{name} splits {width} features into {h?.ToString() ?? "?"}×{d?.ToString() ?? "?"}"),
        };
    }

    // Transposes (one of the accepted chains, nearest first) ← Reshape ← projection, each value read only by the next.
    private (HeadSplit?, string?) Split(string value, OnnxNode reader, params long[][][] chains)
    {
        foreach (var chain in chains)
        {
            var transposes = Transposes(value, chain);
            var splitOutput = transposes is null ? null : transposes.Count == 0 ? value : transposes[^1].Inputs[0];
            if (splitOutput is null || Producer(splitOutput) is not { OpType: "Reshape" } reshape || ProjectionEndingAt(reshape.Inputs[0]) is not { } projection)
            {
                continue;
            }

            var readers = new List<(string Value, OnnxNode Reader)> { (value, reader), (splitOutput, transposes!.Count == 0 ? reader : transposes[^1]), (projection.Output, reshape) };
            readers.AddRange(transposes.Skip(1).Select((t, i) => (t.Outputs[0], transposes[i])));
            if (projection.BiasAdd is not null)
            {
                readers.Add((projection.MatMul.Outputs[0], projection.BiasAdd));
            }

            var (shape, shapeProblem) = ShapeEntries.Of(graph, reshape);
            if (readers.Select(r => Exclusive(r.Value, r.Reader)).FirstOrDefault(p => p is not null) is { } problem)
            {
                return (null, problem);
            }

            if (shape is null)
            {
                return (null, $"the head split Reshape '{LayerNames.Of(reshape)}': {shapeProblem}");
            }

            _headValues.AddRange(projection.Values.Select(p => (p, FeatureAxis)));
            _headValues.Add((splitOutput, SplitHeadAxis));
            _headValues.AddRange(transposes.Select(t => (t.Outputs[0], HeadAxis)));
            return (new HeadSplit(projection, reshape, shape), null);
        }

        return (null, $"'{value}' does not come from a projection MatMul through a head split Reshape and Transpose");
    }

    // The Transposes with the given perms ending at value, nearest first; null when the chain differs.
    private List<OnnxNode>? Transposes(string value, long[][] perms)
    {
        var found = new List<OnnxNode>();
        foreach (var perm in perms)
        {
            if (Producer(value) is not { OpType: "Transpose" } transpose || !Perm(transpose).SequenceEqual(perm))
            {
                return null;
            }

            found.Add(transpose);
            value = transpose.Inputs[0];
        }

        return found;
    }

    private Projection? ProjectionEndingAt(string value)
    {
        var producer = Producer(value);
        var matMul = producer is { OpType: "Add" } add ? add.Inputs.Select(Producer).FirstOrDefault(p => p is { OpType: "MatMul" }) : producer;
        return Projection.Of(graph, matMul, layers) is { } projection && projection.Output == value ? projection : null;
    }

    // Softmax, and before it the scaling and masking of the scores, back to the MatMul of Q and Kᵀ.
    private (OnnxNode?, string?) Scores(string probabilities, OnnxNode reader)
    {
        var (value, next, softmaxSeen) = (probabilities, reader, false);
        while (Producer(value) is { } node && ScoreOps.Contains(node.OpType))
        {
            if (Exclusive(value, next) is { } problem)
            {
                return (null, problem);
            }

            _headValues.Add((value, HeadAxis));
            softmaxSeen |= node.OpType == "Softmax";
            var chained = node.Inputs.Where(i => i.Length > 0 && !_heads.IsOneHead(i)).ToList();
            if (chained.Count != 1)
            {
                return (null, $"'{LayerNames.Of(node)}' ({node.OpType}) mixes the scores with '{string.Join("', '", node.Inputs.Except(chained))}', which may differ per head");
            }

            (value, next) = (chained[0], node);
        }

        if (!softmaxSeen || Producer(value) is not { OpType: "MatMul" } scores || Exclusive(value, next) is not null)
        {
            return (null, $"the attention probabilities '{probabilities}' are not a Softmax of a Q·Kᵀ MatMul read only by the block");
        }

        _headValues.Add((value, HeadAxis));
        return (scores, null);
    }

    // A scalar Mul/Div on Q or Kᵀ before the scores: some exports scale Q instead of the scores, PyTorch's SDPA export scales both by d^-¼.
    private string SkipScaling(string value, OnnxNode reader, out OnnxNode? scaled)
    {
        scaled = null;
        if (Producer(value) is { OpType: "Mul" or "Div" } scale && graph.FindInitializer(scale.Inputs[1]) is { ElementCount: 1 } && Exclusive(value, reader) is null)
        {
            _headValues.Add((value, HeadAxis));
            scaled = scale;
            return scale.Inputs[0];
        }

        return value;
    }

    /// <summary>Null when <paramref name="value"/> is read only by <paramref name="next"/> (and by Shapes whose lengths go no further than batch and sequence); else why not.</summary>
    private string? Exclusive(string value, OnnxNode next) =>
        graph.IsUsedOutsideExplicitInputs(value) || graph.FindConsumers(value).Any(c => c != next && !ReadsOnlyLengths(c))
            ? $"'{value}' is read outside the attention block, which would see its head count change" : null;

    // Shape → Gather(0 or 1): reads the batch or sequence length, which pruning heads leaves alone.
    private bool ReadsOnlyLengths(OnnxNode node) =>
        node.OpType == "Shape" && node.Attributes.Count == 0
        && graph.FindConsumers(node.Outputs[0]) is { Count: > 0 } readers
        && readers.All(r => r.OpType == "Gather" && (r.FindAttribute("axis")?.Int ?? 0) == 0
            && graph.FindInitializer(r.Inputs[1]) is { ElementType: TensorElementType.Int64, ElementCount: 1 } index && index.ToInt64Array()[0] is 0 or 1);

    private OnnxNode? Producer(string value) => graph.FindProducer(value);

    private static IReadOnlyList<long> Perm(OnnxNode transpose) => transpose.FindAttribute("perm")?.Ints ?? [];
}

using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization.Recurrent;

/// <summary>
/// What the Conv and LSTM rewriters share over one run, across the main graph and its subgraphs:
/// names unique in the whole model, one DynamicQuantizeLinear per activation and graph, one int8
/// copy per float weight (put beside the float weight, in the graph that defines it, so branches
/// that read the same outer weight share it), and the float weights to drop once unused.
/// </summary>
internal sealed class DynamicRewriteContext(OnnxGraph main, bool perChannel, bool reduceRange)
{
    private readonly Dictionary<(OnnxGraph Graph, string Name), (string Q, string Scale, string ZeroPoint)> _activations = new();
    private readonly Dictionary<(OnnxGraph Owner, string Name, string Form), string[]> _weights = new();
    private readonly List<(OnnxGraph Owner, string Name)> _replacedWeights = new();

    public UniqueNames Names { get; } = new(main);

    /// <summary>One weight scale per output channel (gate row for LSTM) rather than one per tensor.</summary>
    public bool PerChannel => perChannel;

    /// <summary>7-bit weights: see DynamicInt8Quantization for why x86 without VNNI needs them.</summary>
    public bool ReduceRange => reduceRange;

    public long FloatWeightBytes { get; private set; }

    public long Int8WeightBytes { get; private set; }

    /// <summary>The uint8 form of <paramref name="activation"/> in <paramref name="graph"/>, adding its DynamicQuantizeLinear to <paramref name="newNodes"/> the first time.</summary>
    public (string Q, string Scale, string ZeroPoint) QuantizedActivation(OnnxGraph graph, string activation, List<OnnxNode> newNodes)
    {
        if (!_activations.TryGetValue((graph, activation), out var quantized))
        {
            quantized = (Names.Next($"{activation}_quantized"), Names.Next($"{activation}_scale"), Names.Next($"{activation}_zero_point"));
            newNodes.Add(new OnnxNode("DynamicQuantizeLinear", [activation], [quantized.Q, quantized.Scale, quantized.ZeroPoint],
                Names.Next($"{activation}_DynamicQuantizeLinear")));
            _activations[(graph, activation)] = quantized;
        }

        return quantized;
    }

    /// <summary>
    /// The names of the tensors <paramref name="make"/> derives from float weight <paramref name="weight"/>
    /// (owned by <paramref name="owner"/>) in the given <paramref name="form"/> (its int8 values and
    /// scales, or a reshaped bias); made and added to the owner once, and the float weight marked replaced.
    /// </summary>
    public IReadOnlyList<string> Derived(OnnxGraph owner, OnnxTensor weight, string form, Func<IReadOnlyList<OnnxTensor>> make)
    {
        if (!_weights.TryGetValue((owner, weight.Name, form), out var names))
        {
            var tensors = make();
            owner.Initializers.AddRange(tensors);
            FloatWeightBytes += weight.ElementCount * 4;
            Int8WeightBytes += tensors.Sum(t => t.ElementCount * (t.ElementType == TensorElementType.Float ? 4 : 1));
            names = tensors.Select(t => t.Name).ToArray();
            _weights[(owner, weight.Name, form)] = names;
        }

        _replacedWeights.Add((owner, weight.Name));
        return names;
    }

    /// <summary>Puts <paramref name="newNodes"/> where <paramref name="node"/> was.</summary>
    public static void Replace(OnnxGraph graph, OnnxNode node, List<OnnxNode> newNodes)
    {
        var index = graph.Nodes.IndexOf(node);
        graph.Nodes.RemoveAt(index);
        graph.Nodes.InsertRange(index, newNodes);
    }

    /// <summary>
    /// Drops the float weights (initializers or Constant nodes) of <paramref name="owner"/> that nothing
    /// reads any more; call once the subgraphs inside it have been written back.
    /// </summary>
    public void RemoveUnusedFloatWeights(OnnxGraph owner)
    {
        foreach (var name in _replacedWeights.Where(w => w.Owner == owner).Select(w => w.Name).Distinct())
        {
            FloatConstants.RemoveIfUnused(owner, name);
        }
    }
}

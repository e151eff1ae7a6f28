// An encoder block's feed-forward network: Up (W1 [D, F] + b1) → an activation applied to each of the
// F neurons on its own → Down (W2 [F, D] + b2) → Add into the residual stream. Removing neuron i removes W1's column i, b1[i] and W2's
// row i; nothing else changes (the activation only scales, the residual width D is untouched).
//
// The activation is found by what it does, not by its name: every node between Up and Down must be
// elementwise and read only the region's own values or scalar constants, so it cannot mix neurons.
// That covers Gelu (ai.onnx or com.microsoft), the Erf form x·½(1 + erf(x/√2)) PyTorch exports,
// the tanh approximation, Relu, Sigmoid/SiLU and friends.

using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning.Encoders;

/// <summary>One FFN pair and the values of width F between its two MatMuls.</summary>
internal sealed record FfnBlock(Projection Up, Projection Down, IReadOnlyList<string> NeuronValues)
{
    /// <summary>Elementwise operators a per-neuron activation is built from.</summary>
    private static readonly HashSet<string> ElementwiseOps =
    [
        "Add", "Sub", "Mul", "Div", "Pow", "Erf", "Tanh", "Sigmoid", "Relu", "LeakyRelu", "Gelu", "FastGelu", "BiasGelu",
        "Elu", "Selu", "Softplus", "HardSigmoid", "HardSwish", "Sqrt", "Neg", "Abs", "Exp", "Identity", "Clip",
    ];

    public int Neurons => (int)Up.OutputWidth;

    /// <summary>The activation Down reads: the value whose |mean| ranks neurons on calibration data.</summary>
    public string Activation => Down.MatMul.Inputs[0];

    public string Name => LayerNames.Of(Up.MatMul);

    /// <summary>
    /// The FFN whose first layer is <paramref name="up"/>, or null when what reads it is not a per-neuron activation
    /// followed by one MatMul. <paramref name="order"/> is the graph's topological order, so a node is judged after every region value it reads.
    /// </summary>
    public static FfnBlock? From(OnnxGraph graph, Projection up, IReadOnlyList<OnnxNode> order, IReadOnlyDictionary<OnnxNode, PrunableLayer> layers)
    {
        var region = new HashSet<string>(up.Values, StringComparer.Ordinal);
        Projection? down = null;
        foreach (var node in order.SkipWhile(n => n != (up.BiasAdd ?? up.MatMul)).Skip(1).Where(n => n.Inputs.Any(region.Contains)))
        {
            if (node.OpType == "MatMul" && region.Contains(node.Inputs[0]) && !region.Contains(node.Inputs[1]))
            {
                var candidate = Projection.Of(graph, node, layers);
                if (down is not null || candidate is null || candidate.InputWidth != up.OutputWidth)
                {
                    return null;
                }

                down = candidate;
            }
            else if (IsPerNeuron(graph, node, region))
            {
                region.Add(node.Outputs[0]);
            }
            else
            {
                return null;
            }
        }

        // A block needs a nonlinearity between the two (Up straight into Down is one linear map), and no region value may leave the graph.
        // An encoder's FFN maps the residual width back onto itself and is added to the residual stream; an MLP's hidden
        // layers are neither, and keep the layer-by-layer channel pruning (which ranks each layer by its own filters).
        var values = region.ToList();
        return down is not null && region.Count > up.Values.Count() && !values.Any(graph.IsUsedOutsideExplicitInputs)
            && down.OutputWidth == up.InputWidth && graph.FindConsumers(down.Output).Any(c => c.OpType == "Add")
            ? new FfnBlock(up, down, values) : null;
    }

    /// <summary>An elementwise node of one output whose inputs are region values or scalar constants.</summary>
    private static bool IsPerNeuron(OnnxGraph graph, OnnxNode node, HashSet<string> region) =>
        ElementwiseOps.Contains(node.OpType) && node.Outputs.Count == 1
        && node.Inputs.All(i => i.Length == 0 || region.Contains(i) || graph.FindInitializer(i) is { ElementCount: 1 });
}

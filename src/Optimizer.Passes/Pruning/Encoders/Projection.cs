using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning.Encoders;

/// <summary>
/// A MatMul by a constant [in, out] weight and the Add of its optional [out] bias: the linear layers of an
/// encoder block (Q/K/V/output projections, the FFN's two layers). <see cref="Output"/> is the biased value.
/// </summary>
internal sealed record Projection(PrunableLayer Layer, OnnxNode? BiasAdd, int BiasInput)
{
    public OnnxNode MatMul => Layer.Node;

    public OnnxTensor Weight => Layer.Weight;

    public long InputWidth => Weight.Dims[0];

    public long OutputWidth => Weight.Dims[1];

    public string Output => BiasAdd?.Outputs[0] ?? MatMul.Outputs[0];

    /// <summary>
    /// <paramref name="node"/> as a projection when it is one of the prunable <paramref name="layers"/> (not excluded,
    /// weight not shared) and a MatMul by a rank-2 weight; its bias is the constant [out] vector of the only node reading it, an Add.
    /// </summary>
    public static Projection? Of(OnnxGraph graph, OnnxNode? node, IReadOnlyDictionary<OnnxNode, PrunableLayer> layers)
    {
        if (node is not { OpType: "MatMul" } || !layers.TryGetValue(node, out var layer) || layer.Weight.Dims.Count != 2)
        {
            return null;
        }

        if (graph.FindConsumers(node.Outputs[0]) is [{ OpType: "Add" } add] && !graph.IsUsedOutsideExplicitInputs(node.Outputs[0]))
        {
            var biasInput = add.Inputs[0] == node.Outputs[0] ? 1 : 0;
            if (graph.FindInitializer(add.Inputs[biasInput]) is { ElementType: TensorElementType.Float } bias
                && bias.Dims.Count == 1 && bias.Dims[0] == layer.Weight.Dims[1])
            {
                return new Projection(layer, add, biasInput);
            }
        }

        return new Projection(layer, null, -1);
    }

    /// <summary>The values this projection computes (the MatMul's output, then the biased one).</summary>
    public IEnumerable<string> Values => BiasAdd is null ? [MatMul.Outputs[0]] : [MatMul.Outputs[0], BiasAdd.Outputs[0]];

    /// <summary>The slices that keep only output units <paramref name="keep"/>: weight columns and bias entries.</summary>
    public IEnumerable<ConstantSlice> KeepOutputs(int[] keep) =>
        BiasAdd is null ? [new(MatMul, PrunableLayer.WeightInput, 1, keep)] : [new(MatMul, PrunableLayer.WeightInput, 1, keep), new(BiasAdd, BiasInput, 0, keep)];

    /// <summary>The slice that keeps only input features <paramref name="keep"/>: weight rows (the bias, over outputs, is unchanged).</summary>
    public ConstantSlice KeepInputs(int[] keep) => new(MatMul, PrunableLayer.WeightInput, 0, keep);
}

using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning;

/// <summary>Keep only indices <see cref="Keep"/> along <see cref="Axis"/> of the constant a node reads at <see cref="InputIndex"/>.</summary>
internal sealed record ConstantSlice(OnnxNode Node, int InputIndex, int Axis, int[] Keep);

/// <summary>A value whose channel axis (counted from the end, e.g. -3 for NCHW) now has <see cref="NewSize"/> entries.</summary>
internal sealed record ChannelShapeUpdate(string Value, int AxisFromEnd, int NewSize);

/// <summary>
/// Everything removing some output channels of one layer changes: constants to slice (its
/// weight and bias, BatchNorm statistics, the next layers' input weights) and the value
/// annotations whose channel count shrinks. Built completely before anything is changed, so a
/// layer whose consumers cannot all be rewritten is left untouched.
/// </summary>
internal sealed class ChannelPlan
{
    public List<ConstantSlice> Slices { get; } = new();

    public List<ChannelShapeUpdate> ShapeUpdates { get; } = new();

    /// <summary>Conv/Gemm/MatMul layers downstream whose input channels shrink.</summary>
    public List<OnnxNode> ShrunkConsumers { get; } = new();

    public void Apply(OnnxGraph graph)
    {
        foreach (var slice in Slices)
        {
            var tensor = graph.FindInitializer(slice.Node.Inputs[slice.InputIndex])!;
            var (dims, values) = TensorSlicing.Take(tensor.ToFloatArray(), tensor.Dims, slice.Axis, slice.Keep);
            WeightStore.ReplaceInput(graph, slice.Node, slice.InputIndex, dims, values);
        }

        foreach (var update in ShapeUpdates)
        {
            UpdateValueInfo(graph.ValueInfos, update);
        }
    }

    // Stale value_info shapes would make ONNX Runtime reject the model, so they follow the new channel count.
    private static void UpdateValueInfo(List<ValueInfo> infos, ChannelShapeUpdate update)
    {
        foreach (var info in infos.Where(i => i.Name == update.Value))
        {
            if (info.Type?.Shape is not { } shape || shape.Count + update.AxisFromEnd < 0)
            {
                continue;
            }

            var dims = shape.ToArray();
            var position = dims.Length + update.AxisFromEnd;
            if (dims[position].Size is not null)
            {
                dims[position] = Dim.Fixed(update.NewSize);
                info.Type = ValueTypeInfo.Tensor(info.Type.ElementType, dims);
            }
        }
    }
}

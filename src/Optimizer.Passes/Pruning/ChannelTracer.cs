// Follows the channels a layer produces through every consumer, planning how each must change
// when some channels go. Element-wise activations and pooling pass channels through;
// BatchNormalization and per-channel constants (a bias Add, a PRelu slope) are sliced; Concat
// along the channel axis shifts the indices by the channels before it; Flatten turns channel c
// into the block c·H·W … (c+1)·H·W−1 of features; the next Conv/Gemm/MatMul loses the matching
// input weights and ends the trace. Anything else — a residual Add joining another branch, a
// grouped Conv, a Reshape, a graph output — stops the plan with the reason, and the layer is
// left as it is (pruning both branches of a residual jointly is not done in this version).

using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning;

/// <summary>Plans the removal of output channels of one layer and of everything that reads them.</summary>
internal sealed class ChannelTracer(OnnxGraph graph, StaticShapes shapes)
{
    private static readonly HashSet<string> ChannelWiseOps =
    [
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "Elu", "Selu", "HardSigmoid", "HardSwish", "Softplus", "Gelu", "Erf",
        "Neg", "Abs", "Identity", "Dropout",
    ];

    private static readonly HashSet<string> PoolingOps = ["MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool"];

    private static readonly HashSet<string> ElementwiseBinaryOps = ["Add", "Sub", "Mul", "Div", "PRelu", "Max", "Min"];

    /// <summary>Channels travelling along <see cref="Value"/>: <see cref="Keep"/> of its <see cref="Total"/> entries on the axis <see cref="AxisFromEnd"/>.</summary>
    private sealed record Flow(string Value, int AxisFromEnd, int? Rank, int Total, int[] Keep)
    {
        public int? Axis => Rank + AxisFromEnd;
    }

    public (ChannelPlan? Plan, string? Reason) Trace(PrunableLayer producer, int[] keep)
    {
        var plan = new ChannelPlan();
        var node = producer.Node;
        plan.Slices.Add(new ConstantSlice(node, PrunableLayer.WeightInput, producer.OutputAxis, keep));
        if (ProducerBiasSlice(producer, keep, out var reason) is { } bias)
        {
            plan.Slices.Add(bias);
        }
        else if (reason is not null)
        {
            return (null, reason);
        }

        var rank = node.OpType == "Conv" ? producer.Weight.Dims.Count : shapes.Of(node.Outputs[0])?.Length ?? (node.OpType == "Gemm" ? 2 : null);
        var axisFromEnd = node.OpType == "Conv" ? 1 - producer.Weight.Dims.Count : -1;
        var pending = new Queue<Flow>([new Flow(node.Outputs[0], axisFromEnd, rank, producer.OutputChannels, keep)]);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var flow))
        {
            if (!visited.Add(flow.Value))
            {
                return (null, $"its channels reach '{flow.Value}' along two paths; this version does not merge them");
            }

            if (graph.IsUsedOutsideExplicitInputs(flow.Value))
            {
                return (null, $"its channels reach '{flow.Value}', a graph output (or a subgraph reads it), whose shape must not change");
            }

            plan.ShapeUpdates.Add(new ChannelShapeUpdate(flow.Value, flow.AxisFromEnd, flow.Keep.Length));
            foreach (var consumer in graph.FindConsumers(flow.Value))
            {
                var inputIndex = consumer.Inputs.IndexOf(flow.Value);
                reason = consumer.IsDefaultDomain ? Visit(flow, consumer, inputIndex, plan, pending) : Unsupported(consumer);
                if (reason is not null)
                {
                    return (null, reason);
                }
            }
        }

        return (plan, null);
    }

    private ConstantSlice? ProducerBiasSlice(PrunableLayer producer, int[] keep, out string? reason)
    {
        reason = null;
        var node = producer.Node;
        if (node.OpType == "MatMul" || node.Inputs.Count < 3 || node.Inputs[2].Length == 0)
        {
            return null;
        }

        if (Constant(node.Inputs[2]) is not { } bias)
        {
            reason = $"its bias '{node.Inputs[2]}' is not a constant float initializer";
            return null;
        }

        // Conv's bias is [M]; Gemm's C broadcasts to [rows, N] and may be [N], [1, N], [rows, N] or a scalar.
        if (bias.Dims.Count == 0 || bias.Dims[^1] == 1)
        {
            return null;
        }

        if (bias.Dims[^1] != producer.OutputChannels)
        {
            reason = $"its bias '{bias.Name}' has shape [{string.Join(",", bias.Dims)}], not one entry per output channel";
            return null;
        }

        return new ConstantSlice(node, 2, bias.Dims.Count - 1, keep);
    }

    private string? Visit(Flow flow, OnnxNode consumer, int inputIndex, ChannelPlan plan, Queue<Flow> pending)
    {
        var op = consumer.OpType;
        if (consumer.Inputs.Count(i => i == flow.Value) > 1 && !ElementwiseBinaryOps.Contains(op))
        {
            return $"{Describe(consumer)} reads its channels more than once";
        }

        if (ChannelWiseOps.Contains(op) && inputIndex == 0)
        {
            return PassThrough(flow, consumer, pending);
        }

        if (PoolingOps.Contains(op) && inputIndex == 0)
        {
            return flow.Axis == 1 ? PassThrough(flow, consumer, pending) : $"{Describe(consumer)} pools over its channel axis";
        }

        return op switch
        {
            "BatchNormalization" when inputIndex == 0 => BatchNorm(flow, consumer, plan, pending),
            _ when ElementwiseBinaryOps.Contains(op) => Elementwise(flow, consumer, inputIndex, plan, pending),
            "Concat" => Concat(flow, consumer, inputIndex, pending),
            "Flatten" => Flatten(flow, consumer, pending),
            "Conv" when inputIndex == 0 => NextConv(flow, consumer, plan),
            "Gemm" or "MatMul" when inputIndex == 0 => NextMatrixLayer(flow, consumer, plan),
            _ => Unsupported(consumer),
        };
    }

    private string? PassThrough(Flow flow, OnnxNode consumer, Queue<Flow> pending)
    {
        // Extra outputs (MaxPool's indices, Dropout's mask) would keep the old channel count.
        if (consumer.Outputs.Skip(1).Any(o => o.Length > 0 && (graph.FindConsumers(o).Count > 0 || graph.IsUsedOutsideExplicitInputs(o))))
        {
            return $"{Describe(consumer)} has a second output in use";
        }

        pending.Enqueue(flow with { Value = consumer.Outputs[0] });
        return null;
    }

    private string? BatchNorm(Flow flow, OnnxNode consumer, ChannelPlan plan, Queue<Flow> pending)
    {
        if (flow.Axis != 1)
        {
            return $"{Describe(consumer)} normalizes an axis other than the channels";
        }

        for (var i = 1; i <= 4 && i < consumer.Inputs.Count; i++)
        {
            if (Constant(consumer.Inputs[i]) is not { Dims: [var length] } || length != flow.Total)
            {
                return $"{Describe(consumer)} input '{consumer.Inputs[i]}' is not a constant with one entry per channel";
            }

            plan.Slices.Add(new ConstantSlice(consumer, i, 0, flow.Keep));
        }

        return PassThrough(flow, consumer, pending);
    }

    private string? Elementwise(Flow flow, OnnxNode consumer, int inputIndex, ChannelPlan plan, Queue<Flow> pending)
    {
        if (consumer.Inputs.Count != 2 || (consumer.OpType == "PRelu" && inputIndex != 0))
        {
            return Unsupported(consumer);
        }

        var otherIndex = 1 - inputIndex;
        var otherName = consumer.Inputs[otherIndex];
        if (otherName == flow.Value)
        {
            return PassThrough(flow, consumer, pending);
        }

        if (Constant(otherName) is not { } other)
        {
            return $"{Describe(consumer)} joins its channels with another branch ('{otherName}'); pruning both branches jointly is not supported in this version";
        }

        // Right-aligned broadcasting: the channel axis of the constant, if it reaches that far.
        var position = other.Dims.Count + flow.AxisFromEnd;
        if (position >= 0 && other.Dims[position] != 1)
        {
            if (other.Dims[position] != flow.Total)
            {
                return $"{Describe(consumer)} constant '{otherName}' does not broadcast along the channels";
            }

            plan.Slices.Add(new ConstantSlice(consumer, otherIndex, position, flow.Keep));
        }

        var rank = flow.Rank is { } r ? Math.Max(r, other.Dims.Count) : (int?)null;
        return PassThrough(flow with { Rank = rank }, consumer, pending);
    }

    private string? Concat(Flow flow, OnnxNode consumer, int inputIndex, Queue<Flow> pending)
    {
        var axis = consumer.FindAttribute("axis")?.Int ?? 0;
        if (flow.Rank is not { } rank || (axis < 0 ? axis + rank : axis) != flow.Axis)
        {
            return $"{Describe(consumer)} concatenates along an axis other than the channels";
        }

        var sizes = consumer.Inputs.Select(i => shapes.Of(i) is { } s && s.Length == rank ? s[flow.Axis.Value] : null).ToArray();
        if (sizes.Any(s => s is null))
        {
            return $"{Describe(consumer)} has inputs whose channel counts are not known statically";
        }

        var offset = (int)sizes.Take(inputIndex).Sum()!.Value;
        var total = (int)sizes.Sum()!.Value;
        var keep = Enumerable.Range(0, offset)
            .Concat(flow.Keep.Select(k => offset + k))
            .Concat(Enumerable.Range(offset + flow.Total, total - offset - flow.Total)).ToArray();
        pending.Enqueue(flow with { Value = consumer.Outputs[0], Total = total, Keep = keep });
        return null;
    }

    private string? Flatten(Flow flow, OnnxNode consumer, Queue<Flow> pending)
    {
        var shape = shapes.Of(flow.Value);
        var flattenAxis = (int)(consumer.FindAttribute("axis")?.Int ?? 1);
        if (shape is null || flow.Axis is not { } channelAxis)
        {
            return $"{Describe(consumer)}: the shape of '{flow.Value}' is not known statically, so the flattened feature blocks cannot be located";
        }

        flattenAxis = flattenAxis < 0 ? flattenAxis + shape.Length : flattenAxis;
        var before = channelAxis >= flattenAxis ? StaticShapes.Product(shape[flattenAxis..channelAxis]) : null;
        var block = StaticShapes.Product(shape[(channelAxis + 1)..]);
        if (before is null || block is null)
        {
            return $"{Describe(consumer)} flattens '{flow.Value}' in a way whose feature blocks cannot be located statically";
        }

        // Feature index of (outer o, channel c, position i) is (o·C + c)·block + i.
        var keep = new List<int>();
        for (var o = 0; o < before; o++)
        {
            foreach (var c in flow.Keep)
            {
                keep.AddRange(Enumerable.Range((int)((o * flow.Total + c) * block.Value), (int)block.Value));
            }
        }

        var total = (int)(before.Value * flow.Total * block.Value);
        pending.Enqueue(new Flow(consumer.Outputs[0], -1, 2, total, keep.ToArray()));
        return null;
    }

    private string? NextConv(Flow flow, OnnxNode consumer, ChannelPlan plan)
    {
        var group = consumer.FindAttribute("group")?.Int ?? 1;
        if (group != 1)
        {
            return $"{Describe(consumer)} is a grouped/depthwise Conv (group={group}); removing its input channels would mean pruning whole groups, not supported in this version";
        }

        if (Constant(consumer.Inputs[1]) is not { } weight || weight.Dims.Count < 3 || weight.Dims[1] != flow.Total || flow.Axis is not (null or 1))
        {
            return $"{Describe(consumer)} weight is not a constant float initializer with one input channel per incoming channel";
        }

        plan.Slices.Add(new ConstantSlice(consumer, 1, 1, flow.Keep));
        plan.ShrunkConsumers.Add(consumer);
        return null;
    }

    private string? NextMatrixLayer(Flow flow, OnnxNode consumer, ChannelPlan plan)
    {
        if (flow.AxisFromEnd != -1 || (consumer.FindAttribute("transA")?.Int ?? 0) != 0)
        {
            return $"{Describe(consumer)} does not reduce over the channel axis";
        }

        // The reduction axis of B: K is B's first axis, or its second with Gemm's transB=1.
        var inputAxis = consumer.OpType == "Gemm" && (consumer.FindAttribute("transB")?.Int ?? 0) != 0 ? 1 : 0;
        if (consumer.Inputs.Count < 2 || Constant(consumer.Inputs[1]) is not { Dims.Count: 2 } weight || weight.Dims[inputAxis] != flow.Total)
        {
            return $"{Describe(consumer)} weight is not a constant 2-D float initializer with one row per incoming feature";
        }

        plan.Slices.Add(new ConstantSlice(consumer, 1, inputAxis, flow.Keep));
        plan.ShrunkConsumers.Add(consumer);
        return null;
    }

    private OnnxTensor? Constant(string name)
    {
        var tensor = graph.FindInitializer(name);
        return tensor is { ElementType: TensorElementType.Float } && !graph.DeclaredInputs.Any(i => i.Name == name) ? tensor : null;
    }

    private static string Unsupported(OnnxNode consumer) =>
        $"{Describe(consumer)} reads its channels and cannot be rewritten for removed channels in this version";

    private static string Describe(OnnxNode node) => $"{node.OpType} '{LayerNames.Of(node)}'";
}

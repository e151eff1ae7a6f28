using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

/// <summary>A DequantizeLinear input of a <see cref="QdqElementwise"/>: per-tensor uint8 with constant parameters.</summary>
internal sealed record QdqInput(OnnxNode Dq, float Scale, int Zero);

/// <summary>
/// DequantizeLinear(s) → Add, Mul or GlobalAveragePool → QuantizeLinear run on the bytes (<see cref="Kernels.QLinearBinary"/>,
/// <see cref="Kernels.QLinearGlobalAveragePool"/>), keyed by the QuantizeLinear in <see cref="BuildContext.Elementwise"/>.
/// </summary>
internal sealed record QdqElementwise(OnnxNode Node, OnnxNode Q, Quantizer Output, IReadOnlyList<QdqInput> Inputs);

internal static partial class QdqFusion
{
    /// <summary>The ops with an integer step and their inputs: the step's operator for Add/Mul, none for the pool.</summary>
    private static readonly Dictionary<string, (int Inputs, int Op)> ElementwiseOps = new(StringComparer.Ordinal)
    {
        ["Add"] = (2, Kernels.QLinearAdd),
        ["Mul"] = (2, Kernels.QLinearMul),
        ["GlobalAveragePool"] = (1, -1),
    };

    /// <summary>
    /// The residual Adds, squeeze-excite gates (x · hard-sigmoid bytes) and squeeze pools of a static INT8 MobileNetV3
    /// (the PaddleOCR classifier) kept two Dequantize, a float step and a Quantize each; with uint8 on every side they read
    /// and write the bytes. A DequantizeLinear whose every reader now takes its bytes does no work of its own.
    /// </summary>
    private static void PlanElementwise(OnnxGraph graph, BuildContext ctx, HashSet<string> outputs)
    {
        var taken = ctx.Fused.Values.Select(g => g.OutputQ).Concat(ctx.PassThrough.Values.Select(p => (OnnxNode?)p.Q)).OfType<OnnxNode>().ToHashSet();
        foreach (var node in graph.Nodes.Where(n => n.IsDefaultDomain && ElementwiseOps.ContainsKey(n.OpType) && !ctx.Absorbed.Contains(n)))
        {
            if (node.Inputs.Count != ElementwiseOps[node.OpType].Inputs || node.Outputs.Count(o => o.Length > 0) != 1 || outputs.Contains(node.Outputs[0])
                || graph.FindConsumers(node.Outputs[0]) is not [{ OpType: "QuantizeLinear", IsDefaultDomain: true } q]
                || taken.Contains(q) || ctx.Lookups.ContainsKey(q) || ctx.Absorbed.Contains(q) || Quantizer.Of(graph, q) is not { } output)
            {
                continue;
            }

            var inputs = node.Inputs.Select(input => ByteInput(graph, input)).ToList();
            if (inputs.All(i => i is not null))
            {
                ctx.Elementwise[q] = new QdqElementwise(node, q, output, inputs!);
                ctx.Absorbed.Add(node);
            }
        }

        foreach (var dq in ctx.Elementwise.Values.SelectMany(e => e.Inputs.Select(i => i.Dq)).Distinct())
        {
            if (!outputs.Contains(dq.Outputs[0]) && graph.FindConsumers(dq.Outputs[0]).All(c => ReadsBytes(ctx, c, dq)))
            {
                ctx.Absorbed.Add(dq);
            }
        }
    }

    /// <summary>The DequantizeLinear of a run-time uint8 tensor with a scalar scale and zero point producing <paramref name="value"/>, or null.</summary>
    private static QdqInput? ByteInput(OnnxGraph graph, string value) =>
        value.Length > 0 && Producer(graph, value, "DequantizeLinear") is { } dq && graph.FindConstant(dq.Inputs[0]) is null
        && ScalarFloat(graph, dq, 1) is > 0 and var scale && Zero(graph, dq) is { Type: TensorElementType.UInt8 } zero
            ? new QdqInput(dq, scale, zero.Value)
            : null;

    /// <summary>
    /// Whether <paramref name="consumer"/> of <paramref name="dq"/>'s floats reads its bytes instead: a node whose work a
    /// planned integer step does (every node absorbed so far is one), or a fused group or pass-through on this DequantizeLinear.
    /// </summary>
    private static bool ReadsBytes(BuildContext ctx, OnnxNode consumer, OnnxNode dq) =>
        ctx.Absorbed.Contains(consumer) || ctx.Fused.TryGetValue(consumer, out var g) && g.InputDq == dq
        || ctx.PassThrough.TryGetValue(consumer, out var p) && p.Dq == dq;

    public static void EmitElementwise(BuildContext ctx, QdqElementwise e)
    {
        var xs = e.Inputs.Select(i => ctx.Has(i.Dq.Inputs[0]) ? ctx.Get(i.Dq.Inputs[0]) : null).ToList();
        var bytes = xs.All(x => x is { Type: TensorElementType.UInt8, IsConst: false });
        var yType = e.Output.Signed ? TensorElementType.Int8 : TensorElementType.UInt8;
        var (yZero, ySigned) = (e.Output.Zero, e.Output.Signed ? 1 : 0);
        if (bytes && e.Node.OpType == "GlobalAveragePool" && xs[0]!.Shape is { Length: >= 3 } shape)
        {
            var y = ctx.NewValue(e.Q.Outputs[0], yType, [shape[0], shape[1], .. shape[2..].Select(_ => (Dim)1)]);
            ctx.Emit(StepKind.QLinearGlobalAveragePool, [ctx.Op(xs[0]!), ctx.Op(y)],
                [shape[0] * shape[1], shape.Product(2, shape.Length), e.Inputs[0].Zero, yZero, ySigned], [e.Inputs[0].Scale, e.Output.Scale]);
            return;
        }

        if (bytes && e.Inputs.Count == 2 && Broadcast(ctx, xs[0]!.Shape, xs[1]!.Shape) is var (swap, blocks, inner, perBlock))
        {
            var (a, b, qa, qb) = swap ? (xs[1]!, xs[0]!, e.Inputs[1], e.Inputs[0]) : (xs[0]!, xs[1]!, e.Inputs[0], e.Inputs[1]);
            var y = ctx.NewValue(e.Q.Outputs[0], yType, a.Shape);
            ctx.Emit(StepKind.QLinearBinary, [ctx.Op(a), ctx.Op(b), ctx.Op(y)],
                [ElementwiseOps[e.Node.OpType].Op, blocks, inner, perBlock ? 1 : 0, qa.Zero, qb.Zero, yZero, ySigned], [qa.Scale, qb.Scale, e.Output.Scale]);
            return;
        }

        // Any other shapes: the unfused steps (the DequantizeLinears too where nothing else emitted them).
        ctx.Elementwise.Remove(e.Q);
        foreach (var input in e.Inputs.Where(i => !ctx.Has(i.Dq.Outputs[0])))
        {
            NodeEmitter.Emit(ctx, input.Dq);
        }

        NodeEmitter.Emit(ctx, e.Node);
        NodeEmitter.Emit(ctx, e.Q);
    }

    /// <summary>
    /// How an Add/Mul's operands line up without copies: the same shape (one block), or one of them (b after
    /// <c>Swap</c>) the other's leading dimensions followed by ones (a per-channel gate over [N, C, H, W]: one value per
    /// block of H·W); null for any other broadcast. Symbolic sizes compared here become guards.
    /// </summary>
    private static (bool Swap, Dim Blocks, Dim Inner, bool PerBlock)? Broadcast(BuildContext ctx, Dim[] a, Dim[] b)
    {
        if (a.Length != b.Length)
        {
            return null;
        }

        if (a.SequenceEqual(b))
        {
            Guard(a, b);
            return (false, 1, a.Product(0, a.Length), false);
        }

        foreach (var (big, small, swap) in new[] { (a, b, false), (b, a, true) })
        {
            // The leading dimensions that agree, then only ones in the small operand.
            var lead = 0;
            while (lead < big.Length && small[lead] == big[lead])
            {
                lead++;
            }

            if (lead < big.Length && small[lead..].All(d => d == 1))
            {
                Guard(big[..lead], small[..lead]);
                Guard(small[lead..], small[lead..].Select(_ => (Dim)1).ToArray());
                return (swap, big.Product(0, lead), big.Product(lead, big.Length), true);
            }
        }

        return null;

        void Guard(Dim[] x, Dim[] y)
        {
            for (var i = 0; i < x.Length; i++)
            {
                ctx.Decide(x[i], y[i], ShapeRelation.Equal);
            }
        }
    }
}

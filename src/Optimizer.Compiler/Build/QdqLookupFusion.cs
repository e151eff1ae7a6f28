using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

/// <summary>
/// A DequantizeLinear → non-decreasing float ops (and MaxPools) → QuantizeLinear chain: its
/// <see cref="Table"/> maps every input byte to the output byte, so the chain runs as
/// <see cref="Kernels.MaxPoolU8"/> steps on the bytes, then one <see cref="Kernels.LookupU8"/>.
/// </summary>
internal sealed record QdqLookup(OnnxNode Dq, IReadOnlyList<OnnxNode> Pools, OnnxNode Q, byte[] Table, bool OutputSigned);

/// <summary>
/// Removes the fp32 round trips a static INT8 CNN keeps between its quantized convolutions (the
/// wake-word embedding model: QConv → DequantizeLinear → LeakyRelu → Max(x, c) → [MaxPool] →
/// QuantizeLinear). With per-tensor uint8 in, every op of the chain sees at most 256 distinct
/// values, so the whole chain is a 256-byte table computed here with the float kernels' own
/// arithmetic; a MaxPool anywhere in it commutes with the table because every op is
/// non-decreasing, so it runs first, on the smaller input's bytes.
/// </summary>
internal static class QdqLookupFusion
{
    /// <summary>
    /// Non-decreasing one-value float ops the chain may hold, as the function the float kernel
    /// computes (<see cref="Kernels.Unary"/>, <see cref="Kernels.Binary"/>), given the node and the
    /// chain's input name; null when this node does not fit (a negative slope, a non-scalar operand).
    /// </summary>
    private static readonly Dictionary<string, Func<OnnxGraph, OnnxNode, string, Func<float, float>?>> MonotoneOps = new(StringComparer.Ordinal)
    {
        ["Relu"] = (_, _, _) => v => MathF.Max(v, 0f),
        ["LeakyRelu"] = (_, node, _) => node.Float("alpha", 0.01f) is var alpha && alpha >= 0 ? v => v >= 0 ? v : v * alpha : null,
        ["Max"] = (graph, node, input) => OtherScalar(graph, node, input) is { } c ? v => MathF.Max(v, c) : null,
        ["Min"] = (graph, node, input) => OtherScalar(graph, node, input) is { } c ? v => MathF.Min(v, c) : null,
    };

    public static void Plan(OnnxGraph graph, BuildContext ctx, HashSet<string> outputs)
    {
        foreach (var dq in graph.Nodes.Where(n => n.IsDefaultDomain && n.OpType == "DequantizeLinear"))
        {
            if (TryChain(graph, dq, outputs) is not { } chain)
            {
                continue;
            }

            ctx.Lookups[chain.Lookup.Q] = chain.Lookup;
            ctx.Absorbed.Add(dq);
            ctx.Absorbed.UnionWith(chain.Nodes);
        }
    }

    private static (QdqLookup Lookup, List<OnnxNode> Nodes)? TryChain(OnnxGraph graph, OnnxNode dq, HashSet<string> outputs)
    {
        if (graph.FindConstant(dq.Inputs[0]) is not null || dq.FindAttribute("block_size") is not null
            || QdqFusion.ScalarFloat(graph, dq, 1) is not (> 0 and var inScale) || QdqFusion.Zero(graph, dq) is not { Type: TensorElementType.UInt8 } inZero)
        {
            return null;
        }

        var nodes = new List<OnnxNode>();
        var pools = new List<OnnxNode>();
        var ops = new List<Func<float, float>>();
        var value = dq.Outputs[0];
        while (true)
        {
            if (outputs.Contains(value) || graph.FindConsumers(value) is not [var next] || !next.IsDefaultDomain)
            {
                return null;
            }

            if (next.OpType == "QuantizeLinear")
            {
                return ops.Count > 0 && Table(graph, next, inScale, inZero.Value, ops) is { } table
                    ? (new QdqLookup(dq, pools, next, table, QdqFusion.Zero(graph, next)!.Value.Type == TensorElementType.Int8), nodes)
                    : null;
            }

            if (next.Outputs.Count(o => o.Length > 0) != 1)
            {
                return null;
            }

            if (next.OpType == "MaxPool" && next.Inputs[0] == value && QdqFusion.PoolsOnBytes(next))
            {
                pools.Add(next);
            }
            else if (MonotoneOps.TryGetValue(next.OpType, out var op) && op(graph, next, value) is { } f)
            {
                ops.Add(f);
            }
            else
            {
                return null;
            }

            nodes.Add(next);
            value = next.Outputs[0];
        }
    }

    /// <summary>The output byte of each input byte: dequantize, the ops, quantize, as <see cref="Kernels.Dequantize"/>, the float kernels and <see cref="Kernels.Quantize"/> compute them.</summary>
    private static byte[]? Table(OnnxGraph graph, OnnxNode q, float inScale, int inZero, List<Func<float, float>> ops)
    {
        if (Quantizer.Of(graph, q) is not { } quantizer)
        {
            return null;
        }

        var table = new byte[256];
        for (var b = 0; b < 256; b++)
        {
            var v = ((float)b - inZero) * inScale;
            foreach (var op in ops)
            {
                v = op(v);
            }

            table[b] = quantizer.Byte(v);
        }

        return table;
    }

    /// <summary>The scalar float constant a two-input op takes beside the chain's value.</summary>
    private static float? OtherScalar(OnnxGraph graph, OnnxNode node, string input) =>
        node.Inputs is [var a, var b] && (a == input) != (b == input)
        && graph.FindConstant(a == input ? b : a) is { ElementType: TensorElementType.Float, ElementCount: 1 } c
            ? c.ToFloatArray()[0]
            : null;

    public static void Emit(BuildContext ctx, QdqLookup lookup)
    {
        var x = ctx.Get(lookup.Dq.Inputs[0]);
        if (x.Type != TensorElementType.UInt8 || x.IsConst)
        {
            throw new UnsupportedException("the quantized chain's input is not a uint8 run-time value");
        }

        foreach (var pool in lookup.Pools)
        {
            x = NodeEmitter.EmitMaxPoolU8(ctx, pool, x, pool.Outputs[0]);
        }

        var key = lookup.Q.Outputs[0];
        var y = ctx.NewValue(key, lookup.OutputSigned ? TensorElementType.Int8 : TensorElementType.UInt8, x.Shape);
        ctx.Emit(StepKind.LookupU8, [ctx.Op(x), ctx.Op(y), ctx.WeightBytesOp($"lut:{key}", () => lookup.Table, lookup.Table.Length)], [x.Count], []);
    }
}

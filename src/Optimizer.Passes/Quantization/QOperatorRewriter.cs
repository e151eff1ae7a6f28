// Turns a QDQ graph (QdqRewriter's output) into ONNX Runtime's QOperator form, the one its
// quantize_static writes with QuantFormat.QOperator: each node ORT would fuse becomes the quantized
// operator itself, reading 8-bit tensors and writing 8-bit tensors, and Q/DQ nodes stay only at
// float boundaries (graph inputs/outputs, HardSigmoid, Div, a MatMul with a float output, …).
//   DQ(x), DQ(w), DQ(b) → Conv → Q      ⇒ QLinearConv(x, xs, xz, w, ws, wz, ys, yz, b)
//   DQ(a), DQ(w), DQ(b) → Gemm [→ Q]    ⇒ com.microsoft QGemm (float output without the Q)
//   DQ(a), DQ(w) → MatMul → Q           ⇒ QLinearMatMul
//   DQ(a), DQ(b) → Add/Mul → Q          ⇒ com.microsoft QLinearAdd/QLinearMul
//   DQ(x) → (Global)AveragePool → Q     ⇒ com.microsoft QLinear(Global)AveragePool
//   DQ(x…) → Concat → Q                 ⇒ com.microsoft QLinearConcat
//   DQ(x) → MaxPool/Flatten/Reshape/Transpose/Squeeze/Unsqueeze → Q, same scale and zero point
//                                        ⇒ the op on the 8-bit tensor
// Why it is smaller: the int32 bias needs no scale tensor (its scale is implied: x_scale × w_scale,
// which is how QdqRewriter quantized it), and the Q/DQ nodes between quantized ops disappear.
// Numerics are those of ORT's own QDQ fusion (the same kernels), so accuracy does not change.
// A node whose pattern does not match exactly stays in QDQ form; both forms mix in one graph.

using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>Rewrites fusable QDQ node groups into QLinear*/QGemm operators.</summary>
internal static class QOperatorRewriter
{
    public const string MicrosoftDomain = "com.microsoft";

    private static readonly HashSet<string> DataMovement = ["MaxPool", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze"];

    /// <summary>Rewrites <paramref name="graph"/> in place; returns how many nodes became quantized operators.</summary>
    public static int Apply(OnnxGraph graph)
    {
        var outputs = graph.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var converted = 0;
        foreach (var node in graph.GetTopologicalOrder().Where(n => n.IsDefaultDomain).ToList())
        {
            var replacement = node.OpType switch
            {
                "Conv" => Conv(graph, node, outputs),
                "Gemm" => Gemm(graph, node, outputs),
                "MatMul" => MatMul(graph, node, outputs),
                "Add" or "Mul" => Binary(graph, node, outputs),
                "GlobalAveragePool" or "AveragePool" => Pool(graph, node, outputs),
                "Concat" => Concat(graph, node, outputs),
                _ when DataMovement.Contains(node.OpType) => Movement(graph, node, outputs),
                _ => null,
            };
            if (replacement is null)
            {
                continue;
            }

            var (quantized, q) = replacement.Value;
            if (q is not null)
            {
                graph.Nodes.Remove(q);
            }

            graph.Nodes[graph.Nodes.IndexOf(node)] = quantized;
            converted++;
        }

        RemoveDeadQdq(graph, outputs);
        graph.RemoveUnusedInitializers();
        graph.SortTopologically();
        return converted;
    }

    /// <summary>A DequantizeLinear's (quantized, scale, zero point) when <paramref name="value"/> is its output; zero point "" when omitted.</summary>
    private static (string Q, string Scale, string ZeroPoint)? Dequantized(OnnxGraph graph, string value, bool scalarScale)
    {
        if (graph.FindProducer(value) is not { OpType: "DequantizeLinear", IsDefaultDomain: true } dq || dq.Inputs.Count < 2)
        {
            return null;
        }

        if (scalarScale && graph.FindInitializer(dq.Inputs[1]) is not { Dims.Count: 0 })
        {
            return null;
        }

        return (dq.Inputs[0], dq.Inputs[1], dq.Inputs.Count > 2 ? dq.Inputs[2] : "");
    }

    /// <summary>The QuantizeLinear that is the only reader of <paramref name="node"/>'s single output, with a scalar scale and a zero point.</summary>
    private static OnnxNode? QuantizedOutput(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (node.Outputs.Count != 1 || outputs.Contains(node.Outputs[0]) || graph.FindConsumers(node.Outputs[0]) is not [{ OpType: "QuantizeLinear", IsDefaultDomain: true } q]
            || q.Inputs.Count != 3 || graph.FindInitializer(q.Inputs[1]) is not { Dims.Count: 0 } || q.Inputs[0] != node.Outputs[0])
        {
            return null;
        }

        return q;
    }

    private static bool IsInitializer(OnnxGraph graph, string name, TensorElementType type) => graph.FindConstant(name) is { } t && t.ElementType == type;

    private static (OnnxNode Node, OnnxNode? Q)? Conv(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } x
            || Dequantized(graph, node.Inputs[1], false) is not { ZeroPoint.Length: > 0 } w || !IsInitializer(graph, w.Q, TensorElementType.Int8)
            || QuantizedOutput(graph, node, outputs) is not { } q)
        {
            return null;
        }

        List<string> inputs = [x.Q, x.Scale, x.ZeroPoint, w.Q, w.Scale, ScalarZero(graph, w.ZeroPoint), q.Inputs[1], q.Inputs[2]];
        if (node.Inputs.Count > 2 && node.Inputs[2].Length > 0)
        {
            if (Bias(graph, node.Inputs[2]) is not { } bias)
            {
                return null;
            }

            inputs.Add(bias);
        }

        var conv = new OnnxNode("QLinearConv", inputs, q.Outputs, node.Name);
        var kernel = graph.FindConstant(w.Q)!.Dims.Skip(2).ToArray();
        foreach (var attribute in node.Attributes.Where(a => !IsConvDefault(a, kernel)))
        {
            conv.SetAttribute(attribute);
        }

        return (conv, q);
    }

    /// <summary>
    /// Conv attributes equal to what the spec implies when absent (kernel_shape from the weight,
    /// unit dilations/strides, zero pads, one group): dropped, since every QLinearConv carries them.
    /// </summary>
    private static bool IsConvDefault(OnnxAttribute attribute, long[] kernel) => attribute.Name switch
    {
        "kernel_shape" => attribute.Ints.SequenceEqual(kernel),
        "dilations" or "strides" => attribute.Ints.All(v => v == 1),
        "pads" => attribute.Ints.All(v => v == 0),
        "group" => attribute.Int == 1,
        _ => false,
    };

    /// <summary>
    /// A scalar int8 0 instead of the weight's per-channel all-zero vector (QLinearConv takes a scalar
    /// filter zero point with per-channel scales); any other zero point is kept as it is.
    /// </summary>
    private static string ScalarZero(OnnxGraph graph, string zeroPoint)
    {
        if (graph.FindConstant(zeroPoint) is not { ElementType: TensorElementType.Int8 } tensor || tensor.Dims.Count == 0 || tensor.ToInt8Array().Any(v => v != 0))
        {
            return zeroPoint;
        }

        var existing = graph.Initializers.FirstOrDefault(t => t.ElementType == TensorElementType.Int8 && t.Dims.Count == 0 && t.ToInt8Array()[0] == 0 && graph.FindConstant(t.Name) is not null);
        if (existing is not null)
        {
            return existing.Name;
        }

        var zero = OnnxTensor.FromInt8s(graph.CreateUniqueName("wz"), [], [0]);
        graph.Initializers.Add(zero);
        return zero.Name;
    }

    private static (OnnxNode Node, OnnxNode? Q)? Gemm(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } a
            || Dequantized(graph, node.Inputs[1], false) is not { ZeroPoint.Length: > 0 } w || !IsInitializer(graph, w.Q, TensorElementType.Int8))
        {
            return null;
        }

        var bias = "";
        if (node.Inputs.Count > 2 && node.Inputs[2].Length > 0)
        {
            if (Bias(graph, node.Inputs[2]) is not { } b)
            {
                return null;
            }

            bias = b;
        }

        var q = QuantizedOutput(graph, node, outputs);
        List<string> inputs = [a.Q, a.Scale, a.ZeroPoint, w.Q, w.Scale, w.ZeroPoint, bias];
        if (q is not null)
        {
            inputs.AddRange([q.Inputs[1], q.Inputs[2]]);
        }
        else
        {
            inputs = inputs.AsEnumerable().Reverse().SkipWhile(i => i.Length == 0).Reverse().ToList();
        }

        var gemm = new OnnxNode("QGemm", inputs, q?.Outputs ?? node.Outputs, node.Name, MicrosoftDomain);
        foreach (var name in new[] { "transA", "transB", "alpha" })
        {
            if (node.FindAttribute(name) is { } attribute)
            {
                gemm.SetAttribute(attribute);
            }
        }

        return (gemm, q);
    }

    private static (OnnxNode Node, OnnxNode? Q)? MatMul(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } a
            || Dequantized(graph, node.Inputs[1], false) is not { ZeroPoint.Length: > 0 } w || !IsInitializer(graph, w.Q, TensorElementType.Int8)
            || QuantizedOutput(graph, node, outputs) is not { } q)
        {
            return null; // a float output stays QDQ: ORT fuses it into MatMulIntegerToFloat
        }

        return (new OnnxNode("QLinearMatMul", [a.Q, a.Scale, a.ZeroPoint, w.Q, w.Scale, w.ZeroPoint, q.Inputs[1], q.Inputs[2]], q.Outputs, node.Name), q);
    }

    private static (OnnxNode Node, OnnxNode? Q)? Binary(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (node.Inputs.Count != 2 || Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } a
            || Dequantized(graph, node.Inputs[1], true) is not { ZeroPoint.Length: > 0 } b
            || QuantizedOutput(graph, node, outputs) is not { } q)
        {
            return null;
        }

        var op = node.OpType == "Add" ? "QLinearAdd" : "QLinearMul";
        return (new OnnxNode(op, [a.Q, a.Scale, a.ZeroPoint, b.Q, b.Scale, b.ZeroPoint, q.Inputs[1], q.Inputs[2]], q.Outputs, node.Name, MicrosoftDomain), q);
    }

    private static (OnnxNode Node, OnnxNode? Q)? Pool(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (node.Outputs.Count != 1 || Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } x
            || QuantizedOutput(graph, node, outputs) is not { } q)
        {
            return null;
        }

        var pool = WithAttributes(new OnnxNode($"QLinear{node.OpType}", [x.Q, x.Scale, x.ZeroPoint, q.Inputs[1], q.Inputs[2]], q.Outputs, node.Name, MicrosoftDomain), node);
        pool.SetAttribute(OnnxAttribute.FromInt("channels_last", 0));
        return (pool, q);
    }

    private static (OnnxNode Node, OnnxNode? Q)? Concat(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (QuantizedOutput(graph, node, outputs) is not { } q)
        {
            return null;
        }

        List<string> inputs = [q.Inputs[1], q.Inputs[2]];
        foreach (var input in node.Inputs)
        {
            if (Dequantized(graph, input, true) is not { ZeroPoint.Length: > 0 } x)
            {
                return null;
            }

            inputs.AddRange([x.Q, x.Scale, x.ZeroPoint]);
        }

        return (WithAttributes(new OnnxNode("QLinearConcat", inputs, q.Outputs, node.Name, MicrosoftDomain), node), q);
    }

    /// <summary>Data movement on the 8-bit tensor: only when input and output share scale and zero point.</summary>
    private static (OnnxNode Node, OnnxNode? Q)? Movement(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (node.Outputs.Count != 1 || Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } x
            || QuantizedOutput(graph, node, outputs) is not { } q || q.Inputs[1] != x.Scale || q.Inputs[2] != x.ZeroPoint)
        {
            return null;
        }

        var moved = WithAttributes(new OnnxNode(node.OpType, [x.Q, .. node.Inputs.Skip(1)], q.Outputs, node.Name), node);
        return (moved, q);
    }

    /// <summary>The int32 initializer behind a bias DequantizeLinear (its scale is implied by the QLinear op).</summary>
    private static string? Bias(OnnxGraph graph, string value) =>
        Dequantized(graph, value, false) is { } b && IsInitializer(graph, b.Q, TensorElementType.Int32) ? b.Q : null;

    private static OnnxNode WithAttributes(OnnxNode target, OnnxNode source)
    {
        foreach (var attribute in source.Attributes)
        {
            target.SetAttribute(attribute);
        }

        return target;
    }

    /// <summary>Removes Q/DQ nodes nothing reads any more (a chain: a DQ goes, then the Q before it).</summary>
    private static void RemoveDeadQdq(OnnxGraph graph, HashSet<string> outputs)
    {
        var removed = true;
        while (removed)
        {
            var read = graph.Nodes.SelectMany(n => n.Inputs).ToHashSet(StringComparer.Ordinal);
            removed = graph.Nodes.RemoveAll(n => n.IsDefaultDomain && n.OpType is "QuantizeLinear" or "DequantizeLinear"
                                                 && !n.Outputs.Any(o => read.Contains(o) || outputs.Contains(o))) > 0;
        }
    }
}

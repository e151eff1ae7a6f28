// The QOperator form of each op family (QOperatorRewriter's header has the patterns): each writer
// matches the op's QDQ group exactly or returns null, leaving the group in QDQ form.

using Optimizer.Onnx;
using static Optimizer.Passes.Quantization.Operators.QdqPattern;

namespace Optimizer.Passes.Quantization.Operators;

/// <summary>The <see cref="QOperatorWriter"/>s <see cref="QuantizedOps"/> names.</summary>
internal static class QOperatorWriters
{
    public const string MicrosoftDomain = "com.microsoft";

    public static (OnnxNode Node, OnnxNode? Q)? Conv(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } x
            || Dequantized(graph, node.Inputs[1], false) is not { ZeroPoint.Length: > 0 } w || !IsInitializer(graph, w.Q, TensorElementType.Int8)
            || QuantizedOutput(graph, node, outputs) is not { } q)
        {
            return null;
        }

        List<string> inputs = [x.Q, x.Scale, x.ZeroPoint, w.Q, w.Scale, ScalarZero(graph, w.ZeroPoint), q.Inputs[1], q.Inputs[2]];
        if (WeightedOp.Conv.Bias(node) is { } dequantizedBias)
        {
            if (Bias(graph, dequantizedBias) is not { } bias)
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

    public static (OnnxNode Node, OnnxNode? Q)? Gemm(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } a
            || Dequantized(graph, node.Inputs[1], false) is not { ZeroPoint.Length: > 0 } w || !IsInitializer(graph, w.Q, TensorElementType.Int8))
        {
            return null;
        }

        var bias = "";
        if (WeightedOp.Gemm.Bias(node) is { } dequantizedBias)
        {
            if (Bias(graph, dequantizedBias) is not { } b)
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

    public static (OnnxNode Node, OnnxNode? Q)? MatMul(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } a
            || Dequantized(graph, node.Inputs[1], false) is not { ZeroPoint.Length: > 0 } w || !IsInitializer(graph, w.Q, TensorElementType.Int8)
            || QuantizedOutput(graph, node, outputs) is not { } q)
        {
            return null; // a float output stays QDQ: ORT fuses it into MatMulIntegerToFloat
        }

        return (new OnnxNode("QLinearMatMul", [a.Q, a.Scale, a.ZeroPoint, w.Q, w.Scale, w.ZeroPoint, q.Inputs[1], q.Inputs[2]], q.Outputs, node.Name), q);
    }

    /// <summary>DQ(a), DQ(b) → op → Q ⇒ the com.microsoft <paramref name="quantizedOp"/> (QLinearAdd, QLinearMul).</summary>
    public static QOperatorWriter Binary(string quantizedOp) => (graph, node, outputs) =>
    {
        if (node.Inputs.Count != 2 || Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } a
            || Dequantized(graph, node.Inputs[1], true) is not { ZeroPoint.Length: > 0 } b
            || QuantizedOutput(graph, node, outputs) is not { } q)
        {
            return null;
        }

        return (new OnnxNode(quantizedOp, [a.Q, a.Scale, a.ZeroPoint, b.Q, b.Scale, b.ZeroPoint, q.Inputs[1], q.Inputs[2]], q.Outputs, node.Name, MicrosoftDomain), q);
    };

    /// <summary>DQ(x) → pool → Q ⇒ the com.microsoft <paramref name="quantizedOp"/> with the pool's attributes, NCHW.</summary>
    public static QOperatorWriter Pool(string quantizedOp) => (graph, node, outputs) =>
    {
        if (node.Outputs.Count != 1 || Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } x
            || QuantizedOutput(graph, node, outputs) is not { } q)
        {
            return null;
        }

        var pool = WithAttributes(new OnnxNode(quantizedOp, [x.Q, x.Scale, x.ZeroPoint, q.Inputs[1], q.Inputs[2]], q.Outputs, node.Name, MicrosoftDomain), node);
        pool.SetAttribute(OnnxAttribute.FromInt("channels_last", 0));
        return (pool, q);
    };

    public static (OnnxNode Node, OnnxNode? Q)? Concat(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
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
    public static (OnnxNode Node, OnnxNode? Q)? Movement(OnnxGraph graph, OnnxNode node, HashSet<string> outputs)
    {
        if (node.Outputs.Count != 1 || Dequantized(graph, node.Inputs[0], true) is not { ZeroPoint.Length: > 0 } x
            || QuantizedOutput(graph, node, outputs) is not { } q || q.Inputs[1] != x.Scale || q.Inputs[2] != x.ZeroPoint)
        {
            return null;
        }

        var moved = WithAttributes(new OnnxNode(node.OpType, [x.Q, .. node.Inputs.Skip(1)], q.Outputs, node.Name), node);
        return (moved, q);
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

    private static OnnxNode WithAttributes(OnnxNode target, OnnxNode source)
    {
        foreach (var attribute in source.Attributes)
        {
            target.SetAttribute(attribute);
        }

        return target;
    }
}

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
// The writers are per op family (Operators/QOperatorWriters.cs), named by Operators/QuantizedOps.cs.

using Optimizer.Onnx;
using Optimizer.Passes.Quantization.Operators;

namespace Optimizer.Passes.Quantization;

/// <summary>Rewrites fusable QDQ node groups into QLinear*/QGemm operators.</summary>
internal static class QOperatorRewriter
{
    public const string MicrosoftDomain = QOperatorWriters.MicrosoftDomain;

    /// <summary>Rewrites <paramref name="graph"/> in place; returns how many nodes became quantized operators.</summary>
    public static int Apply(OnnxGraph graph)
    {
        var outputs = graph.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var converted = 0;
        foreach (var node in graph.GetTopologicalOrder().Where(n => n.IsDefaultDomain).ToList())
        {
            if (QuantizedOps.Find(node)?.QOperator(graph, node, outputs) is not { } replacement)
            {
                continue;
            }

            var (quantized, q) = replacement;

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

using Optimizer.Onnx;
using Optimizer.Passes.Pruning;

namespace Optimizer.Passes.Quantization.Operators;

/// <summary>
/// The operators static INT8 quantizes (default ONNX domain), one entry each: to quantize one more
/// op, add its entry here (and, for a new family, its <see cref="QOperatorWriter"/>).
/// </summary>
internal static class QuantizedOps
{
    private static readonly Dictionary<string, QuantizedOp> Ops = new(StringComparer.Ordinal)
    {
        ["Conv"] = QuantizedOp.Weighted(WeightedOp.Conv, quantizesOutput: true, QOperatorWriters.Conv, BiasCorrection.Conv),
        ["Gemm"] = QuantizedOp.Weighted(WeightedOp.Gemm, quantizesOutput: false, QOperatorWriters.Gemm, BiasCorrection.Gemm),
        ["MatMul"] = QuantizedOp.Weighted(WeightedOp.MatMul, quantizesOutput: false, QOperatorWriters.MatMul, BiasCorrection.MatMul),
        ["Add"] = QuantizedOp.Binary(QOperatorWriters.Binary("QLinearAdd")),
        ["Mul"] = QuantizedOp.Binary(QOperatorWriters.Binary("QLinearMul")),
        ["AveragePool"] = QuantizedOp.Unary(QOperatorWriters.Pool("QLinearAveragePool")),
        ["GlobalAveragePool"] = QuantizedOp.Unary(QOperatorWriters.Pool("QLinearGlobalAveragePool")),
        ["Concat"] = QuantizedOp.Concat(QOperatorWriters.Concat),
        ["MaxPool"] = QuantizedOp.DataMovement,
        ["Flatten"] = QuantizedOp.DataMovement,
        ["Reshape"] = QuantizedOp.DataMovement,
        ["Transpose"] = QuantizedOp.DataMovement,
        ["Squeeze"] = QuantizedOp.DataMovement,
        ["Unsqueeze"] = QuantizedOp.DataMovement,
    };

    /// <summary>Every op type in the table.</summary>
    public static IReadOnlyCollection<string> OpTypes => Ops.Keys;

    /// <summary>The entry for <paramref name="node"/>, or null when static INT8 leaves it alone.</summary>
    public static QuantizedOp? Find(OnnxNode node) => node.IsDefaultDomain && Ops.TryGetValue(node.OpType, out var op) ? op : null;
}

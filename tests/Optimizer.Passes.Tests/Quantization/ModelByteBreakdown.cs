using Optimizer.Onnx;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>
/// Where a model file's bytes go: each category's share is the file size minus the size of a copy
/// without that category's initializers (or without nodes/value_info), so protobuf framing counts too.
/// </summary>
internal static class ModelByteBreakdown
{
    public static IReadOnlyList<(string Category, int Count, long Bytes)> Measure(OnnxModel model)
    {
        var total = OnnxModelWriter.ToBytes(model).Length;
        var result = new List<(string, int, long)>();
        foreach (var group in model.Graph.Initializers.GroupBy(Category).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var names = group.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var copy = model.Clone();
            copy.Graph.Initializers.RemoveAll(t => names.Contains(t.Name));
            result.Add((group.Key, group.Count(), total - OnnxModelWriter.ToBytes(copy).Length));
        }

        foreach (var group in model.Graph.Nodes.GroupBy(n => n.OpType is "QuantizeLinear" or "DequantizeLinear" ? "nodes: Q/DQ" : "nodes: compute"))
        {
            var copy = model.Clone();
            copy.Graph.Nodes.RemoveAll(n => (n.OpType is "QuantizeLinear" or "DequantizeLinear") == (group.Key == "nodes: Q/DQ"));
            result.Add((group.Key, group.Count(), total - OnnxModelWriter.ToBytes(copy).Length));
        }

        var withoutInfo = model.Clone();
        withoutInfo.Graph.ValueInfos.Clear();
        result.Add(("value_info", model.Graph.ValueInfos.Count, total - OnnxModelWriter.ToBytes(withoutInfo).Length));
        return result;
    }

    public static string Describe(OnnxModel model, long fp32Bytes) => string.Join("\n", Measure(model).Select(c =>
        $"  {c.Category,-28} {c.Count,5} × → {c.Bytes,9:N0} B ({100.0 * c.Bytes / fp32Bytes:F2}% of fp32)"));

    private static string Category(OnnxTensor t) => (t.ElementType, t.Dims.Count) switch
    {
        (TensorElementType.Int8, > 1) => "int8 weights",
        (TensorElementType.Int8 or TensorElementType.UInt8, 1) => "8-bit vectors (zero points)",
        (TensorElementType.Int8 or TensorElementType.UInt8, 0) => "8-bit scalars (zero points)",
        (TensorElementType.Int32, _) => "int32 biases",
        (TensorElementType.Float, 1) => "float vectors (scales, biases)",
        (TensorElementType.Float, 0) => "float scalars (scales)",
        (TensorElementType.Float, _) => "float tensors",
        var (type, rank) => $"{type} rank {rank}",
    };
}

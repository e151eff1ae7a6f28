// Embedding tables under Int4 (option Embeddings, default on): com.microsoft GatherBlockQuantized
// gathers 4-bit rows and dequantizes only those (ONNX Runtime's CPU kernel, bits = 4, uint8 data
// holding two values per byte). The layout is MatMulNBits' (Int4BlockQuantizer): each table row is
// a run of blocks of BlockSize values with one scale each (and packed zero points when asymmetric;
// symmetric blocks use the kernel's default zero point 8). arctic_embed_xs's three tables (11.9 M
// values) go from 45 MB of float to about 7 MB; its Int4 file is 14.0 MB instead of 52.2 MB.

using System.Globalization;
using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>Replaces embedding lookups by GatherBlockQuantized on a 4-bit table.</summary>
internal sealed class Int4TableRewriter(OnnxGraph graph, UniqueNames names, int blockSize, bool symmetric)
{
    private const string MicrosoftDomain = "com.microsoft";

    public long FloatTableBytes { get; private set; }

    public long PackedTableBytes { get; private set; }

    /// <summary>Rewrites the lookup and returns what it did, or leaves it and returns why not.</summary>
    public (string? Detail, string? Reason) TryRewrite(OnnxNode gather)
    {
        if (EmbeddingTableRewriter.WhyNot(graph, gather) is { } reason)
        {
            return (null, reason);
        }

        var table = graph.FindConstant(gather.Inputs[0])!;
        var (rows, width) = ((int)table.Dims[0], (int)table.Dims[1]);
        if (width % blockSize != 0)
        {
            return (null, $"table rows of {width} values are not whole blocks of {blockSize}; left in float");
        }

        var q = Int4BlockQuantizer.Quantize(table.ToFloatArray(), rows, width, blockSize, symmetric);
        var packed = OnnxTensor.FromUInt8s(names.Next($"{table.Name}_int4"), [rows, width / 2], q.Packed);
        var scales = OnnxTensor.FromFloats(names.Next($"{table.Name}_int4_scales"), [rows, q.BlocksPerRow], q.Scales);
        graph.Initializers.AddRange([packed, scales]);
        var inputs = new List<string> { packed.Name, gather.Inputs[1], scales.Name };
        if (q.ZeroPoints is not null)
        {
            var zeroPoints = OnnxTensor.FromUInt8s(names.Next($"{table.Name}_int4_zero_points"), [rows, (q.BlocksPerRow + 1) / 2], q.ZeroPoints);
            graph.Initializers.Add(zeroPoints);
            inputs.Add(zeroPoints.Name);
        }

        var lookup = new OnnxNode("GatherBlockQuantized", inputs, [gather.Outputs[0]], names.Next($"{QdqPlanner.NameOf(gather)}_GatherBlockQuantized"), MicrosoftDomain);
        lookup.SetAttribute(OnnxAttribute.FromInt("gather_axis", 0));
        lookup.SetAttribute(OnnxAttribute.FromInt("quantize_axis", 1));
        lookup.SetAttribute(OnnxAttribute.FromInt("block_size", blockSize));
        lookup.SetAttribute(OnnxAttribute.FromInt("bits", 4));
        graph.Nodes[graph.Nodes.IndexOf(gather)] = lookup;
        FloatConstants.RemoveIfUnused(graph, table.Name);
        FloatTableBytes += (long)rows * width * 4;
        PackedTableBytes += q.Packed.Length + q.Scales.Length * 4L + (q.ZeroPoints?.Length ?? 0);
        return (string.Create(CultureInfo.InvariantCulture,
            $"table [{rows}x{width}] → 4-bit blocks of {blockSize} ({(symmetric ? "symmetric" : "asymmetric")}), GatherBlockQuantized; relative RMSE {q.RelativeRmse:P2}"), null);
    }
}

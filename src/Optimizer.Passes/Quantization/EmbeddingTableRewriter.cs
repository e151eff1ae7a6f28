// Embedding tables under dynamic INT8 (option Embeddings, default on).
//
// A transformer encoder's word/position/type tables are most of its file (arctic_embed_xs: 45 MB
// of 86 MB) and a Gather reads only the rows of the tokens it is given, so the table is stored as
// int8 with one scale per row and only the gathered rows are dequantized:
//   Gather(table, ids) → Cast(Gather(table_int8, ids), float) × Gather(row_scales [V, 1], ids)
// Per-row scales keep a rare token's small vector as precise as a frequent one's (a per-tensor
// scale, as ONNX Runtime's quantize_dynamic uses, is set by the largest row of the table). This
// form is standard ONNX, so every runtime and opset runs it; DequantizeLinear before the Gather
// would dequantize the whole table on every run.

using System.Globalization;
using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>What <see cref="EmbeddingTableRewriter.QuantizeAll"/> did: candidate lookups, rewritten ones, table bytes before and after.</summary>
internal sealed record EmbeddingTables(int Candidates, int Changed, long FloatBytes, long Int8Bytes)
{
    public static readonly EmbeddingTables None = new(0, 0, 0, 0);
}

/// <summary>Stores constant float tables read by Gather as int8 rows with one scale per row.</summary>
internal sealed class EmbeddingTableRewriter(OnnxGraph graph, UniqueNames names)
{
    /// <summary>Rewrites every candidate lookup of <paramref name="graph"/>, recording each change or the reason it was left.</summary>
    public static EmbeddingTables QuantizeAll(OnnxGraph graph, List<PassChange> changed, List<PassSkip> skipped)
    {
        var candidates = graph.Nodes.Where(n => IsCandidate(graph, n)).ToList();
        var rewriter = new EmbeddingTableRewriter(graph, new UniqueNames(graph));
        var count = RewriteLog.Apply(candidates, rewriter.TryRewrite, changed, skipped);
        return new EmbeddingTables(candidates.Count, count, rewriter.FloatTableBytes, rewriter.Int8TableBytes);
    }

    /// <summary>Tables with fewer values save too little to be worth four nodes.</summary>
    private const long MinimumValues = 256;

    private readonly Dictionary<string, (string Rows, string Scales)> _tables = new();

    public long FloatTableBytes { get; private set; }

    public long Int8TableBytes { get; private set; }

    /// <summary>A Gather whose data is a constant float32 matrix: the embedding lookup this rewrites.</summary>
    public static bool IsCandidate(OnnxGraph graph, OnnxNode node) =>
        node is { IsDefaultDomain: true, OpType: "Gather", Inputs.Count: 2 }
        && graph.FindConstant(node.Inputs[0]) is { ElementType: TensorElementType.Float, Dims.Count: 2 };

    /// <summary>Why a candidate lookup cannot have its table stored in fewer bits, or null when it can.</summary>
    public static string? WhyNot(OnnxGraph graph, OnnxNode gather)
    {
        var tableName = gather.Inputs[0];
        var table = graph.FindConstant(tableName)!;
        if ((gather.FindAttribute("axis")?.Int ?? 0) != 0)
        {
            return $"Gather along axis {gather.FindAttribute("axis")!.Int} reads columns, not rows; left in float";
        }

        if (table.Dims[0] * table.Dims[1] < MinimumValues)
        {
            return $"table '{tableName}' has {table.Dims[0] * table.Dims[1]} values; below {MinimumValues} int8 saves too little";
        }

        if (graph.FindConstant(gather.Inputs[1]) is not null)
        {
            return "the indices are constant, so the lookup is a constant for constant folding";
        }

        if (graph.FindConsumers(tableName).FirstOrDefault(n => !IsCandidate(graph, n) || (n.FindAttribute("axis")?.Int ?? 0) != 0) is { } other)
        {
            return $"table '{tableName}' is also read by {other.OpType} '{QdqPlanner.NameOf(other)}', which needs it in float";
        }

        return graph.IsUsedOutsideExplicitInputs(tableName) ? $"table '{tableName}' is also a graph output or read inside a subgraph" : null;
    }

    /// <summary>Rewrites the lookup and returns what it did, or leaves it and returns why not.</summary>
    public (string? Detail, string? Reason) TryRewrite(OnnxNode gather)
    {
        if (WhyNot(graph, gather) is { } reason)
        {
            return (null, reason);
        }

        var tableName = gather.Inputs[0];
        var table = graph.FindConstant(tableName)!;
        var (rows, scales, detail) = QuantizedTable(table);
        var baseName = QdqPlanner.NameOf(gather);
        var output = gather.Outputs[0];
        var gatheredRows = names.Next($"{output}_int8");
        var floatRows = names.Next($"{output}_int8_float");
        var rowScales = names.Next($"{output}_row_scales");
        var cast = new OnnxNode("Cast", [gatheredRows], [floatRows], names.Next($"{baseName}_Cast"));
        cast.SetAttribute(OnnxAttribute.FromInt("to", (long)TensorElementType.Float));
        OnnxNode[] replacement =
        [
            new OnnxNode("Gather", [rows, gather.Inputs[1]], [gatheredRows], names.Next($"{baseName}_int8_Gather")),
            cast,
            new OnnxNode("Gather", [scales, gather.Inputs[1]], [rowScales], names.Next($"{baseName}_scales_Gather")),
            new OnnxNode("Mul", [floatRows, rowScales], [output], names.Next($"{baseName}_dequantize_Mul")),
        ];
        var index = graph.Nodes.IndexOf(gather);
        graph.Nodes.RemoveAt(index);
        graph.Nodes.InsertRange(index, replacement);
        FloatConstants.RemoveIfUnused(graph, tableName);
        return (detail, null);
    }

    private (string Rows, string Scales, string Detail) QuantizedTable(OnnxTensor table)
    {
        var (rowCount, width) = ((int)table.Dims[0], (int)table.Dims[1]);
        var detail = string.Create(CultureInfo.InvariantCulture, $"table [{rowCount}x{width}] → int8 rows, one scale per row");
        if (_tables.TryGetValue(table.Name, out var done))
        {
            return (done.Rows, done.Scales, detail + " (shared table)");
        }

        var values = table.ToFloatArray();
        var quantized = Int8WeightQuantizer.QuantizeRows(values, rowCount, width);
        var rows = OnnxTensor.FromInt8s(names.Next($"{table.Name}_int8"), [rowCount, width], quantized.Values);
        var scales = OnnxTensor.FromFloats(names.Next($"{table.Name}_row_scales"), [rowCount, 1], quantized.Scales);
        graph.Initializers.AddRange([rows, scales]);
        FloatTableBytes += values.Length * 4L;
        Int8TableBytes += values.Length + rowCount * 4L;
        _tables[table.Name] = (rows.Name, scales.Name);
        return (rows.Name, scales.Name, string.Create(CultureInfo.InvariantCulture, $"{detail}; relative RMSE {quantized.RelativeRmse:P2}"));
    }
}

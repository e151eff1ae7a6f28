// Dynamic INT8 quantization of MatMul and Gemm weights.
//
// Why DynamicQuantizeLinear + MatMulInteger (the "integer ops" form) and not QDQ:
// - It is what ONNX Runtime's own quantize_dynamic emits for MatMul: the activation is
//   quantized at run time by DynamicQuantizeLinear (uint8, per tensor), the weight is an int8
//   initializer, MatMulInteger accumulates in int32, then Cast + Mul by (activation scale ×
//   weight scale) returns to float. ORT's CPU provider fuses exactly this chain (plus a
//   following bias Add) into one DynamicQuantizeMatMul kernel, so it runs integer GEMMs.
// - QDQ for dynamic quantization would need DequantizeLinear on the weight and a
//   Quantize/DequantizeLinear pair on the activation; ORT only turns that into integer math
//   when the activation scale is a constant (static quantization). Dynamically, QDQ ends up
//   running the float MatMul on dequantized weights: smaller file, no speed-up.
// - Per-output-channel weights: MatMulInteger takes B's zero point per column ([N]); the scale
//   cannot go into MatMulInteger, so it is applied after the integer product as one Mul by the
//   [N] vector (weight scales × the activation's scalar scale). Symmetric weights keep every
//   zero point 0, which the int8 kernels handle fastest.
// - Weights use 7 bits ([-63, 63], option ReduceRange, default true), as ORT's reduce_range:
//   on x86 CPUs without VNNI, ORT's uint8×int8 kernels add pairs of products in saturating
//   int16 (vpmaddubsw), and full-range weights overflow it (measured here on AVX2: 25% output
//   error with 8-bit weights, 1% with 7-bit). The build cannot know the target CPU, so the safe
//   range is the default; ReduceRange=false gains one bit on VNNI/Arm targets.
// - Gemm is rewritten to the same chain: transB is folded by storing the weight transposed,
//   alpha is folded into the weight scales, and beta·C becomes a following Add.
// - Activations: by default one scale per row (RowActivationQuantizer, com.microsoft
//   MatMulIntegerToFloat), so a row's result does not depend on its batch-mates; PerTensor keeps
//   the DynamicQuantizeLinear form above, which ORT fuses into one kernel (a few percent faster).
// - Embedding tables (constant float tables read by Gather) become int8 rows with per-row scales
//   (EmbeddingTableRewriter): most of an encoder's file.
// - No transformer fusions: measured on ONNX Runtime 1.31's CPU provider (1 thread, hidden 384,
//   12 heads; tests/Optimizer.Benchmarks EncoderFusionBenchmarks), its com.microsoft
//   SkipLayerNormalization takes 241 µs at 128 tokens where the LayerNormalization + two Adds it
//   replaces take 63 µs (31 vs 14 µs at 16), and MultiHeadAttention saves 6% of the attention block
//   at 128 tokens (0.1 ms of a 9 ms encoder) and nothing at 16; ORT already fuses
//   LayerNormalization, BiasGelu and the scaled Q·Kᵀ (FusedMatMul) at load.
//   The attention products (activation × activation) stay float: a per-tensor scale over the keys
//   would tie a sentence to its batch-mates, and they are 9% of the encoder's time at 128 tokens.
// DynamicQuantizeLinear needs opset 11 (MatMulInteger 10); a lower default opset is raised to
// 11 by the opset upgrader (Opset/OpsetUpgrader.cs), which adapts every node whose operator
// changed (e.g. Clip's min/max attributes → inputs) or refuses, and then the model is skipped.

using System.Globalization;
using Optimizer.Onnx;
using Optimizer.Passes.Opset;

namespace Optimizer.Passes.Quantization;

/// <summary>
/// Quantizes constant float32 MatMul/Gemm weights (and embedding tables) to int8; activations are
/// quantized at run time.
/// </summary>
internal sealed class DynamicInt8Quantization(bool perChannel, bool reduceRange, ActivationScales activationScales = ActivationScales.PerRow, bool embeddings = true) : IModelPass
{
    private const long RequiredOpset = 11;
    private const long RequiredIrVersion = 6;
    private const string MicrosoftDomain = "com.microsoft";

    public int Stage => Schema.PassSchema.Quantize.Order;

    // Conv and LSTM layers, in the main graph and inside If/Loop/Scan bodies: Recurrent/DynamicLayerQuantization.cs.
    public PassReport Run(OnnxModel model) => Recurrent.DynamicLayerQuantization.Extend(RunMatMulGemm(model), model, perChannel, reduceRange);

    private PassReport RunMatMulGemm(OnnxModel model)
    {
        // An older opset is raised on a copy (every node adapted), kept only when a weight is quantized.
        var raise = OpsetRaise.Prepare(model, RequiredOpset, "DynamicQuantizeLinear needs opset 11");
        var graph = raise.Model.Graph;
        var changed = new List<PassChange>();
        var skipped = new List<PassSkip>();
        var candidates = graph.Nodes.Where(IsCandidate).ToList();
        skipped.AddRange(SubgraphCandidates.Skips(graph, IsCandidate));

        var opsetProblem = raise.Problem;
        if (opsetProblem is not null)
        {
            skipped.AddRange(candidates.Select(n => new PassSkip(NameOf(n), opsetProblem)));
            var tableCandidates = embeddings ? graph.Nodes.Count(n => EmbeddingTableRewriter.IsCandidate(graph, n)) : 0;
            return Report(new Counts(changed, skipped, candidates.Count, 0, EmbeddingTables.None with { Candidates = tableCandidates }), null);
        }

        var rewriter = new MatMulIntegerRewriter(graph, perChannel, reduceRange, activationScales, Math.Max(model.GetOpsetVersion("") ?? RequiredOpset, RequiredOpset));
        var matMulsChanged = RewriteLog.Apply(candidates, rewriter.TryRewrite, changed, skipped);
        rewriter.RemoveUnusedFloatWeights();
        var tables = embeddings ? EmbeddingTableRewriter.QuantizeAll(graph, changed, skipped) : EmbeddingTables.None;
        if (changed.Count > 0 && model.GetOpsetVersion("") < RequiredOpset)
        {
            model.Graph = graph;
            model.SetOpsetVersion("", RequiredOpset);
            model.IrVersion = Math.Max(model.IrVersion, RequiredIrVersion);
        }

        if (rewriter.UsesMicrosoftDomain && model.GetOpsetVersion(MicrosoftDomain) is null)
        {
            model.SetOpsetVersion(MicrosoftDomain, 1);
        }

        var report = Report(new Counts(changed, skipped, candidates.Count, matMulsChanged, tables), rewriter);
        return changed.Count > 0 && raise.Raised is { } raised
            ? report with { Summary = $"{report.Summary}; {raised.Detail}", Changed = [raised, .. report.Changed] }
            : report;
    }

    private static bool IsCandidate(OnnxNode node) => node.IsDefaultDomain && node.OpType is "MatMul" or "Gemm";

    private static string NameOf(OnnxNode node) => QdqPlanner.NameOf(node);

    private PassReport Report(Counts counts, MatMulIntegerRewriter? matMuls)
    {
        var granularity = (perChannel ? "per-channel" : "per-tensor") + (reduceRange ? " 7-bit" : "") + " weights, " +
                          (activationScales == ActivationScales.PerRow ? "per-row" : "per-tensor") + " activations";
        var floatBytes = (matMuls?.FloatWeightBytes ?? 0) + counts.Tables.FloatBytes;
        var int8Bytes = (matMuls?.Int8WeightBytes ?? 0) + counts.Tables.Int8Bytes;
        var sizes = counts.Changed.Count > 0
            ? string.Create(CultureInfo.InvariantCulture, $", weights {floatBytes / 1024.0:F1} KB → {int8Bytes / 1024.0:F1} KB")
            : "";
        var tables = counts.Tables.Candidates > 0 ? $", {counts.Tables.Changed} of {counts.Tables.Candidates} Gather tables" : "";
        var summary = $"DynamicInt8 ({granularity}): {counts.MatMulsChanged} of {counts.MatMuls} MatMul/Gemm{tables} quantized{sizes}" +
                      (counts.Skipped.Count > 0 ? $", {counts.Skipped.Count} skipped" : "");
        return new PassReport(QuantizePass.Name, summary, counts.Changed, counts.Skipped)
        {
            Shortfall = counts.Changed.Count == 0
                ? PassShortfall.FromSkips($"DynamicInt8 quantized 0 of {counts.MatMuls} MatMul/Gemm" + (counts.Tables.Candidates > 0 ? $" and 0 of {counts.Tables.Candidates} Gather tables" : ""), counts.Skipped)
                : null,
        };
    }

    private sealed record Counts(List<PassChange> Changed, List<PassSkip> Skipped, int MatMuls, int MatMulsChanged, EmbeddingTables Tables);
}

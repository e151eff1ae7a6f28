using Optimizer.Engine.Output;

namespace Optimizer.Engine.Reports;

/// <summary>
/// Everything the build report of one model shows (<c>&lt;Name&gt;.report.md</c> and <c>.html</c>).
/// <see cref="ModelReportBuilder"/> fills what the models and pass reports give; verification adds
/// <see cref="Fidelity"/>, <see cref="Latency"/> and per-layer errors with <c>with</c> expressions.
/// Nothing here is read from the clock: the same record renders to the same bytes.
/// </summary>
/// <param name="ModelName">The plan's name, e.g. <c>digits_cnn</c>.</param>
/// <param name="ModelPath">The model as the user declared it (project-relative where possible).</param>
/// <param name="EngineVersion">The engine version that produced the optimized model.</param>
/// <param name="SourceSha256">SHA-256 of the source model file, lower-case hex.</param>
/// <param name="OptimizedSha256">SHA-256 of the optimized model bytes, lower-case hex.</param>
/// <param name="SizeBefore">Source model size in bytes.</param>
/// <param name="SizeAfter">Optimized model size in bytes.</param>
/// <param name="Elapsed">Time the engine spent, or null when not measured (keep null for byte-identical reports).</param>
/// <param name="Plan">The requested passes with their options, as declared.</param>
/// <param name="Passes">What each pass that ran did.</param>
/// <param name="Before">Whole-model figures of the source model.</param>
/// <param name="After">Whole-model figures of the optimized model.</param>
/// <param name="Layers">One row per Conv/Gemm/MatMul layer.</param>
/// <param name="Fidelity">Accuracy and output comparison, when verification ran.</param>
/// <param name="Latency">Timing of both models, when it was measured.</param>
/// <param name="GeneratedAt">A timestamp to print, when the caller wants one (never taken from the clock here).</param>
public sealed record ModelReport(
    string ModelName,
    string ModelPath,
    string EngineVersion,
    string SourceSha256,
    string OptimizedSha256,
    long SizeBefore,
    long SizeAfter,
    TimeSpan? Elapsed,
    IReadOnlyList<ReportPlanEntry> Plan,
    IReadOnlyList<ReportPassSummary> Passes,
    ModelTotals Before,
    ModelTotals After,
    IReadOnlyList<LayerRow> Layers,
    FidelityFigures? Fidelity = null,
    LatencyFigures? Latency = null,
    string? GeneratedAt = null)
{
    /// <summary><c>&lt;Name&gt;.report.html</c>.</summary>
    public string HtmlFileName => OutputNames.HtmlReport.FileName(ModelName);

    /// <summary><c>&lt;Name&gt;.report.md</c>.</summary>
    public string MarkdownFileName => OutputNames.MarkdownReport.FileName(ModelName);

    /// <summary>Size change as a fraction of the source size (negative when smaller).</summary>
    public double SizeChange => SizeBefore == 0 ? 0 : (double)(SizeAfter - SizeBefore) / SizeBefore;

    /// <summary>
    /// This report with per-layer errors (e.g. max abs or relative error of each layer's output,
    /// quantized vs fp32) keyed by layer name; layers not named keep what they had.
    /// </summary>
    public ModelReport WithLayerErrors(IReadOnlyDictionary<string, double> errors, string metric) => this with
    {
        ErrorMetric = metric,
        Layers = Layers.Select(l => errors.TryGetValue(l.Name, out var e) ? l with { Error = e } : l).ToList(),
    };

    /// <summary>One line per training epoch ([FineTune]/[Distill]), e.g. <c>epoch 3: loss 0.0231, validation accuracy 97.33%</c>; empty without training.</summary>
    public IReadOnlyList<string> TrainingEpochs { get; init; } = [];

    /// <summary>What the build's timing of ONNX Runtime against the compiled kernels decided for <c>Path = Auto</c>, with its figures; null when not timed.</summary>
    public string? AutoPath { get; init; }

    /// <summary>
    /// Whether any layer has a measured <see cref="LayerRow.Error"/>: verification compares whole-model
    /// outputs only, so the writers leave the per-layer error column out unless errors were added
    /// (<see cref="WithLayerErrors"/>) rather than print a column of dashes.
    /// </summary>
    public bool HasLayerErrors => Layers.Any(l => l.Error is not null);

    /// <summary>What the per-layer <see cref="LayerRow.Error"/> measures, e.g. <c>max abs error</c>.</summary>
    public string ErrorMetric { get; init; } = "error";

    /// <summary>The report files to write into the plan's output directory: (file name, bytes).</summary>
    public IReadOnlyList<(string FileName, byte[] Bytes)> ToFiles() =>
    [
        (HtmlFileName, HtmlReportWriter.ToBytes(this)),
        (MarkdownFileName, MarkdownReportWriter.ToBytes(this)),
    ];
}

/// <summary>One pass the plan requested and its options (sorted by name when rendered).</summary>
public sealed record ReportPlanEntry(string Pass, IReadOnlyDictionary<string, string> Options);

/// <summary>What one pass did: its summary line and how many nodes it changed or skipped.</summary>
public sealed record ReportPassSummary(string Pass, string Summary, int Changed, int Skipped);

/// <summary>Whole-model counts.</summary>
/// <param name="Nodes">Nodes in the main graph.</param>
/// <param name="Parameters">Elements of initializers (weights, biases, other constants), not counting quantization scales and zero points.</param>
/// <param name="Flops">2 × multiply-accumulates of Conv/Gemm/MatMul for one sample (null when shapes are unknown).</param>
/// <param name="WeightSparsity">Fraction of zero weights over all Conv/Gemm/MatMul weights, or null without any.</param>
/// <param name="OpCounts">How many nodes of each op type, sorted by op type.</param>
public sealed record ModelTotals(int Nodes, long Parameters, long? Flops, double? WeightSparsity, IReadOnlyList<KeyValuePair<string, int>> OpCounts);

/// <summary>One Conv/Gemm/MatMul layer of the source model and what became of it.</summary>
/// <param name="Name">The node's name (its first output when unnamed), as pass reports name it.</param>
/// <param name="Op">The source op type.</param>
/// <param name="OptimizedOp">The op that computes it in the optimized model (e.g. <c>MatMulInteger</c>), or null when the layer is gone.</param>
/// <param name="ParamsBefore">Elements of the layer's constant inputs (weight, bias) in the source model.</param>
/// <param name="ParamsAfter">The same in the optimized model (quantized weights count as one element each).</param>
/// <param name="FlopsBefore">FLOPs of the layer for one sample, null when shapes are unknown.</param>
/// <param name="FlopsAfter">The same in the optimized model.</param>
/// <param name="SparsityBefore">Fraction of zero weights in the source model.</param>
/// <param name="SparsityAfter">Fraction of zero weights in the optimized model (quantized: equal to the zero point).</param>
/// <param name="Quantized">Whether the optimized model computes this layer on integer weights.</param>
/// <param name="WeightType">Element type of the optimized weight, e.g. <c>Int8</c>.</param>
/// <param name="Note">Why it was quantized or not, and what other passes did to it (from the pass reports).</param>
/// <param name="Error">This layer's error in the optimized model, when verification measured it.</param>
public sealed record LayerRow(
    string Name,
    string Op,
    string? OptimizedOp,
    long ParamsBefore,
    long? ParamsAfter,
    long? FlopsBefore,
    long? FlopsAfter,
    double? SparsityBefore,
    double? SparsityAfter,
    bool Quantized,
    string? WeightType,
    string Note,
    double? Error = null);

/// <summary>Original vs optimized on validation (or calibration/generated) inputs.</summary>
/// <param name="DataSource">What the inputs were, e.g. <c>Data/val.npy (450 samples)</c>.</param>
/// <param name="Top1Before">Top-1 accuracy of the source model, when labels were given.</param>
/// <param name="Top1After">Top-1 accuracy of the optimized model.</param>
/// <param name="Agreement">Fraction of samples whose arg-max is the same for both models.</param>
/// <param name="MaxDrop">The declared accuracy budget (fraction), when one was declared.</param>
/// <param name="Outputs">Per-output comparison.</param>
/// <param name="RevertedLayers">Layers put back to fp32 to hold the budget.</param>
public sealed record FidelityFigures(
    string? DataSource,
    double? Top1Before,
    double? Top1After,
    double? Agreement,
    double? MaxDrop,
    IReadOnlyList<OutputComparison> Outputs,
    IReadOnlyList<string>? RevertedLayers = null)
{
    /// <summary>[AccuracyBudget] MinCosine, when declared.</summary>
    public double? MinCosine { get; init; }

    /// <summary>The figures come from generated inputs, not the user's data: an estimate.</summary>
    public bool IsEstimate { get; init; }
}

/// <summary>One output's comparison: max abs error, cosine similarity, SQNR in dB (+∞ when identical).</summary>
public sealed record OutputComparison(string Output, double MaxAbsError, double Cosine, double SqnrDb)
{
    /// <summary>The lowest per-sample cosine (each sample's output flattened); null when not measured per sample.</summary>
    public double? CosineMin { get; init; }

    /// <summary>The mean per-sample cosine.</summary>
    public double? CosineMean { get; init; }

    /// <summary>For encoder outputs: the lowest per-sample cosine of the mask-weighted mean over the sequence.</summary>
    public double? PooledCosineMin { get; init; }

    /// <summary>For encoder outputs: the mean pooled cosine.</summary>
    public double? PooledCosineMean { get; init; }
}

/// <summary>Latency of the original (or fp32) model and of the optimized one, measured on the build machine.</summary>
/// <param name="BeforeMs">Median (p50) of the model timed as "before", milliseconds.</param>
/// <param name="AfterMs">Median (p50) of the model timed as "after", milliseconds.</param>
/// <param name="Note">How it was measured, e.g. <c>median of 50 runs after 5 warm-up, 1 thread</c>.</param>
/// <param name="BeforeLabel">What "before" is, e.g. <c>fp32</c>.</param>
/// <param name="AfterLabel">What "after" is, e.g. <c>StaticInt8</c>.</param>
/// <param name="BeforeP90Ms">90th percentile of "before", when measured.</param>
/// <param name="AfterP90Ms">90th percentile of "after".</param>
/// <param name="BeforeP99Ms">99th percentile of "before".</param>
/// <param name="AfterP99Ms">99th percentile of "after".</param>
/// <param name="Decision">What the speed-up gate (<c>RequireSpeedup</c>) decided, e.g. <c>kept fp32: StaticInt8 is not faster</c>; null without a gate.</param>
public sealed record LatencyFigures(
    double BeforeMs,
    double AfterMs,
    string? Note = null,
    string BeforeLabel = "before",
    string AfterLabel = "after",
    double? BeforeP90Ms = null,
    double? AfterP90Ms = null,
    double? BeforeP99Ms = null,
    double? AfterP99Ms = null,
    string? Decision = null)
{
    /// <summary>After / before at the median (below 1: faster).</summary>
    public double Ratio => BeforeMs > 0 ? AfterMs / BeforeMs : double.NaN;
}

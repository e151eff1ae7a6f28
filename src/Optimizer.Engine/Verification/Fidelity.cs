using System.Globalization;

namespace Optimizer.Engine.Verification;

/// <summary>How far one output of the optimized model is from the original's, over all samples.</summary>
/// <param name="MaxAbsError">max |o − q| over every element.</param>
/// <param name="Cosine">Σ o·q / (‖o‖ ‖q‖) over all samples' elements flattened (1 when both are zero).</param>
/// <param name="SqnrDb">10·log10(Σ o² / Σ (o − q)²) over all elements; +∞ when the outputs are identical.</param>
/// <param name="CosineMin">The lowest cosine of one sample's output (flattened) to the original's.</param>
/// <param name="CosineMean">The mean of the per-sample cosines.</param>
/// <param name="PooledCosineMin">For an encoder output <c>[batch, seq, hidden]</c> with a mask input: the lowest per-sample cosine of the mask-weighted mean over <c>seq</c> (the sentence embedding); else null.</param>
/// <param name="PooledCosineMean">The mean of those pooled cosines.</param>
internal sealed record OutputFidelity(
    string Name, double MaxAbsError, double Cosine, double SqnrDb,
    double CosineMin, double CosineMean, double? PooledCosineMin = null, double? PooledCosineMean = null)
{
    /// <summary>The cosine a budget checks: the pooled one for encoders, else the per-sample one (worst sample).</summary>
    public double BudgetCosine => PooledCosineMin ?? CosineMin;
}

/// <summary>
/// The comparison of an optimized model with the original on the same inputs. Classification figures
/// come from the first output that looks like logits (<see cref="ClassificationStatistics.LooksLikeLogits"/>):
/// top-1 = share of rows whose arg-max equals the label, agreement = share of rows whose arg-max equals the original's.
/// </summary>
internal sealed record FidelityResult(
    string Source,
    int SampleCount,
    string? ClassificationOutput,
    double? Top1Original,
    double? Top1Optimized,
    double? Agreement,
    IReadOnlyList<OutputFidelity> Outputs)
{
    /// <summary>The samples were generated, not the user's: the figures are an estimate.</summary>
    public bool IsGenerated { get; init; }

    /// <summary>What the summary and reports append to figures from generated inputs.</summary>
    public const string EstimateNote = " — estimate; declare Validation data";

    /// <summary>Where the figures came from, e.g. <c>450 validation samples</c>, with the estimate note for generated inputs.</summary>
    public string SourceText => IsGenerated ? Source + EstimateNote : Source;

    /// <summary>
    /// The accuracy drop MaxDrop is checked against: original top-1 − optimized top-1 with labels;
    /// else 1 − agreement for a classification output; else 1 − the lowest cosine of all elements flattened.
    /// </summary>
    public double Drop => Top1Original is { } before && Top1Optimized is { } after ? before - after
        : Agreement is { } agreement ? 1 - agreement
        : 1 - Outputs.Min(o => o.Cosine);

    public string DropKind => Top1Original is not null ? "top-1 drop" : Agreement is not null ? "1 − agreement" : "1 − cosine";

    /// <summary>The output with the lowest budget cosine (<see cref="OutputFidelity.BudgetCosine"/>): what MinCosine is checked against.</summary>
    public OutputFidelity WorstCosineOutput => Outputs.MinBy(o => double.IsNaN(o.BudgetCosine) ? double.NegativeInfinity : o.BudgetCosine)!;

    /// <summary>The lowest budget cosine over all outputs.</summary>
    public double MinCosine => WorstCosineOutput.BudgetCosine;

    /// <summary>These figures as the report shows them.</summary>
    public Reports.FidelityFigures ToReport(double? maxDrop, IReadOnlyList<string>? revertedLayers = null, double? minCosine = null) => new(
        SourceText, Top1Original, Top1Optimized, Agreement, maxDrop,
        Outputs.Select(o => new Reports.OutputComparison(o.Name, o.MaxAbsError, o.Cosine, o.SqnrDb)
        {
            CosineMin = o.CosineMin,
            CosineMean = o.CosineMean,
            PooledCosineMin = o.PooledCosineMin,
            PooledCosineMean = o.PooledCosineMean,
        }).ToList(),
        revertedLayers)
    {
        MinCosine = minCosine,
        IsEstimate = IsGenerated,
    };

    /// <summary>
    /// Figures for the summary line, e.g. <c>top-1 97.1% → 96.9% (budget 1.0%), agreement 99.3%,
    /// logits SQNR 31.2 dB cos 0.9990 max|Δ| 0.21 on 450 validation samples</c> (cos: the worst sample's);
    /// an encoder output leads with <c>last_hidden_state pooled cos min 0.9812 mean 0.9950</c>.
    /// </summary>
    public string Describe(double? maxDrop, double? minCosine = null)
    {
        var budget = maxDrop is { } b ? Invariant($" (budget {b * 100:0.0##}%)") : "";
        var cosineBudget = minCosine is { } c ? Invariant($" (budget cos ≥ {c:0.0#####})") : "";
        var parts = new List<string>();
        if (Top1Original is { } before && Top1Optimized is { } after)
            parts.Add(Invariant($"top-1 {before * 100:0.0}% → {after * 100:0.0}%") + budget);
        if (Agreement is { } agreement)
            parts.Add(Invariant($"agreement {agreement * 100:0.0}%") + (Top1Original is null ? budget : ""));
        foreach (var o in Outputs.Take(4))
        {
            if (o.PooledCosineMin is { } pooledMin && o.PooledCosineMean is { } pooledMean)
                parts.Add(Invariant($"{o.Name} pooled cos min {pooledMin:0.0000} mean {pooledMean:0.0000}"));
            parts.Add(Invariant($"{o.Name} SQNR {Sqnr(o.SqnrDb)} dB cos {o.CosineMin:0.0000} max|Δ| {o.MaxAbsError:0.####}"));
        }

        if (Agreement is null && maxDrop is not null)
            parts[^1] += budget;
        parts[^1] += cosineBudget;
        if (Outputs.Count > 4)
            parts.Add($"{Outputs.Count - 4} more outputs");
        return string.Join(", ", parts) + " on " + SourceText;
    }

    /// <summary>The drop, e.g. <c>1.6% (top-1 drop)</c>.</summary>
    public string DescribeDrop() => Invariant($"{Drop * 100:0.0##}% ({DropKind})");

    /// <summary>The cosine MinCosine is checked against, e.g. <c>pooled cosine 0.9412 (last_hidden_state, worst sample)</c>.</summary>
    public string DescribeCosine()
    {
        var worst = WorstCosineOutput;
        return Invariant($"{(worst.PooledCosineMin is null ? "cosine" : "pooled cosine")} {worst.BudgetCosine:0.0000} ({worst.Name}, worst of {SampleCount} samples)");
    }

    private static string Sqnr(double db) => double.IsPositiveInfinity(db) ? "∞" : db.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

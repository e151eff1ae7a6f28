using System.Globalization;

namespace Optimizer.Engine.Verification;

/// <summary>How far one output of the optimized model is from the original's, over all samples.</summary>
/// <param name="MaxAbsError">max |o − q| over every element.</param>
/// <param name="Cosine">Σ o·q / (‖o‖ ‖q‖) over all elements flattened (1 when both are zero).</param>
/// <param name="SqnrDb">10·log10(Σ o² / Σ (o − q)²); +∞ when the outputs are identical.</param>
internal sealed record OutputFidelity(string Name, double MaxAbsError, double Cosine, double SqnrDb);

/// <summary>
/// The comparison of an optimized model with the original on the same inputs.
/// Classification figures come from the first float output whose last axis has ≥ 2 entries
/// (argmax over the last axis): top-1 = share of samples whose argmax equals the label,
/// agreement = share of rows whose argmax equals the original's.
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
    /// <summary>
    /// The accuracy drop the budget is checked against: original top-1 − optimized top-1 with
    /// labels; else 1 − agreement for a classification output; else 1 − the lowest cosine similarity.
    /// </summary>
    public double Drop => Top1Original is { } before && Top1Optimized is { } after ? before - after
        : Agreement is { } agreement ? 1 - agreement
        : 1 - Outputs.Min(o => o.Cosine);

    public string DropKind => Top1Original is not null ? "top-1 drop" : Agreement is not null ? "1 − agreement" : "1 − cosine";

    /// <summary>These figures as the report shows them.</summary>
    public Reports.FidelityFigures ToReport(double? maxDrop, IReadOnlyList<string>? revertedLayers = null) => new(
        Source, Top1Original, Top1Optimized, Agreement, maxDrop,
        Outputs.Select(o => new Reports.OutputComparison(o.Name, o.MaxAbsError, o.Cosine, o.SqnrDb)).ToList(),
        revertedLayers);

    /// <summary>
    /// Figures for the summary line, e.g. <c>top-1 97.1% → 96.9% (budget 1.0%), agreement 99.3%,
    /// logits SQNR 31.2 dB cos 0.9996 max|Δ| 0.21 on 450 validation samples</c>.
    /// </summary>
    public string Describe(double? maxDrop)
    {
        var budget = maxDrop is { } b ? Invariant($" (budget {b * 100:0.0##}%)") : "";
        var parts = new List<string>();
        if (Top1Original is { } before && Top1Optimized is { } after)
            parts.Add(Invariant($"top-1 {before * 100:0.0}% → {after * 100:0.0}%") + budget);
        if (Agreement is { } agreement)
            parts.Add(Invariant($"agreement {agreement * 100:0.0}%") + (Top1Original is null ? budget : ""));
        parts.AddRange(Outputs.Take(4).Select(o =>
            Invariant($"{o.Name} SQNR {(double.IsPositiveInfinity(o.SqnrDb) ? "∞" : o.SqnrDb.ToString("0.0", CultureInfo.InvariantCulture))} dB cos {o.Cosine:0.0000} max|Δ| {o.MaxAbsError:0.####}")));
        if (Agreement is null && maxDrop is not null)
            parts[^1] += budget;
        if (Outputs.Count > 4)
            parts.Add($"{Outputs.Count - 4} more outputs");
        return string.Join(", ", parts) + " on " + Source;
    }

    /// <summary>The drop, e.g. <c>1.6% (top-1 drop)</c>.</summary>
    public string DescribeDrop() => Invariant($"{Drop * 100:0.0##}% ({DropKind})");

    public static FidelityResult Compare(VerificationInputs data, ModelOutputs original, ModelOutputs optimized)
    {
        var outputs = new List<OutputFidelity>();
        string? classification = null;
        double? top1Original = null, top1Optimized = null, agreement = null;
        foreach (var (name, o, rowShape) in original.Outputs)
        {
            var q = optimized.Outputs.FirstOrDefault(x => x.Name == name).Values;
            if (q is null || q.Length != o.Length)
                throw new VerificationException($"output '{name}' has {q?.Length ?? 0} values in the optimized model but {o.Length} in the original");
            outputs.Add(Measure(name, o, q));

            if (classification is null && rowShape.Length >= 1 && rowShape[^1] >= 2)
            {
                classification = name;
                var classes = (int)rowShape[^1];
                var rows = o.Length / classes;
                var same = 0;
                var correctOriginal = 0;
                var correctOptimized = 0;
                for (var r = 0; r < rows; r++)
                {
                    var a = ArgMax(o.AsSpan(r * classes, classes));
                    var b = ArgMax(q.AsSpan(r * classes, classes));
                    same += a == b ? 1 : 0;
                    if (data.Labels is { } labels && rows == labels.Length)
                    {
                        correctOriginal += a == labels[r] ? 1 : 0;
                        correctOptimized += b == labels[r] ? 1 : 0;
                    }
                }

                agreement = rows == 0 ? 1 : (double)same / rows;
                if (data.Labels is { } l && rows == l.Length && rows > 0)
                {
                    top1Original = (double)correctOriginal / rows;
                    top1Optimized = (double)correctOptimized / rows;
                }
            }
        }

        return new FidelityResult(data.Source, data.SampleCount, classification, top1Original, top1Optimized, agreement, outputs);
    }

    private static OutputFidelity Measure(string name, float[] o, float[] q)
    {
        double maxAbs = 0, dot = 0, oo = 0, qq = 0, noise = 0;
        for (var i = 0; i < o.Length; i++)
        {
            double a = o[i], b = q[i], d = a - b;
            maxAbs = Math.Max(maxAbs, Math.Abs(d));
            dot += a * b;
            oo += a * a;
            qq += b * b;
            noise += d * d;
        }

        var cosine = oo == 0 && qq == 0 ? 1 : oo == 0 || qq == 0 ? 0 : dot / Math.Sqrt(oo * qq);
        var sqnr = noise == 0 ? double.PositiveInfinity : oo == 0 ? double.NegativeInfinity : 10 * Math.Log10(oo / noise);
        return new OutputFidelity(name, maxAbs, cosine, sqnr);
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best]) best = i;
        }

        return best;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

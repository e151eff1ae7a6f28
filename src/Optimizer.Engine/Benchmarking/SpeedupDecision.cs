using System.Globalization;
using Optimizer.Engine.Reports;

namespace Optimizer.Engine.Benchmarking;

/// <summary>What the speed check measured and decided.</summary>
/// <param name="Check">The gate (RequireSpeedup) or the default check.</param>
/// <param name="Timing">fp32 (model 0) against the quantized model (model 1), at every timed shape.</param>
internal sealed record SpeedupDecision(SpeedCheck Check, LatencyComparison Timing)
{
    /// <summary>Quantized median / fp32 median at most this for the gate to keep the quantized model (at least 5% faster).</summary>
    public const double RequiredRatio = 0.95;

    /// <summary>Quantized median / fp32 median above this (beyond the noise of a busy machine) is slower: the default check warns.</summary>
    public const double SlowerRatio = 1.05;

    /// <summary>The model without the Quantize pass (fp32), combined over the shapes.</summary>
    public LatencyStatistics Baseline => Timing.Combined[0];

    /// <summary>The quantized model, combined over the shapes.</summary>
    public LatencyStatistics Quantized => Timing.Combined[1];

    /// <summary>Quantized median / fp32 median (the geometric mean over the shapes).</summary>
    public double Ratio => Timing.Ratio(1);

    /// <summary>False when the gate keeps fp32; the default check always keeps what was declared.</summary>
    public bool KeepQuantized => !Check.Reverts || Ratio <= RequiredRatio;

    /// <summary>True when the quantized model is slower than fp32 beyond the noise.</summary>
    public bool Slower => Ratio > SlowerRatio;

    /// <summary>
    /// For the summary line, e.g. <c>StaticInt8 0.38× fp32 latency (p50 0.062 ms vs 0.165 ms) at input [1,64]</c>,
    /// plus <c>, kept fp32</c> when the gate kept fp32.
    /// </summary>
    public string Describe() => Invariant($"{Quantized.Label} {Ratio:0.00}× {Baseline.Label} latency ({Medians()}) at {Timing.Inputs.Shapes()}")
        + (KeepQuantized ? "" : ", kept " + Baseline.Label);

    /// <summary>e.g. <c>p50 0.062 ms vs 0.165 ms</c>; over several shapes their geometric means, and each shape's figures.</summary>
    public string Medians() => Timing.Shapes.Count == 1
        ? Invariant($"p50 {LatencyStatistics.FormatMs(Quantized.P50Ms)} vs {LatencyStatistics.FormatMs(Baseline.P50Ms)}")
        : Invariant($"p50 {LatencyStatistics.FormatMs(Quantized.P50Ms)} vs {LatencyStatistics.FormatMs(Baseline.P50Ms)} geometric mean over {Timing.Shapes.Count} shapes: ")
            + string.Join("; ", Timing.Shapes.Select(s => Invariant($"{s.Shape} {LatencyStatistics.FormatMs(s.Models[1].P50Ms)} vs {LatencyStatistics.FormatMs(s.Models[0].P50Ms)}")));

    /// <summary>The report's figures: fp32 "before", quantized "after", how they were timed, and the decision.</summary>
    public LatencyFigures ToReport() => new(
        Baseline.P50Ms, Quantized.P50Ms,
        Invariant($"{Check.Settings.Describe()} at {Timing.Inputs.Describe()}{(Timing.Shapes.Count == 1 ? "" : " (" + Medians() + ")")}; {Baseline.Runs:#,0} and {Quantized.Runs:#,0} timed runs"),
        Baseline.Label, Quantized.Label,
        Baseline.P90Ms, Quantized.P90Ms, Baseline.P99Ms, Quantized.P99Ms,
        !KeepQuantized
            ? Invariant($"kept {Baseline.Label}: {Quantized.Label} is not faster ({Ratio:0.00}× the {Baseline.Label} latency; RequireSpeedup asks for at most {RequiredRatio:0.00}×)")
            : Slower
                ? Invariant($"kept {Quantized.Label} as declared although it is slower ({Ratio:0.00}× the {Baseline.Label} latency; RequireSpeedup would keep {Baseline.Label})")
                : Invariant($"kept {Quantized.Label}: {Ratio:0.00}× the {Baseline.Label} latency"));

    /// <summary>
    /// The report of the written model: its latency figures, and when fp32 was kept, layer notes that
    /// say why they are not quantized (the pipeline that made it had no Quantize pass to explain it).
    /// </summary>
    public ModelReport ApplyTo(ModelReport report) => report with
    {
        Latency = ToReport(),
        Layers = KeepQuantized ? report.Layers : report.Layers.Select(l => l.Quantized ? l : l with
        {
            Note = Invariant($"not quantized: RequireSpeedup kept fp32 ({Quantized.Label} was {Ratio:0.00}× the fp32 latency)")
                + string.Concat(l.Note.Split("; ").Where(n => !n.StartsWith("not quantized", StringComparison.Ordinal)).Select(n => "; " + n)),
        }).ToList(),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

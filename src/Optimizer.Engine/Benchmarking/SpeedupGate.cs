using System.Globalization;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Engine.Reports;
using Optimizer.Runtime;

namespace Optimizer.Engine.Benchmarking;

/// <summary>What the speed-up gate measured and decided.</summary>
/// <param name="Baseline">The model without the Quantize pass (fp32).</param>
/// <param name="Quantized">The quantized model.</param>
/// <param name="KeepQuantized">True when the quantized median is at most <see cref="SpeedupGate.RequiredRatio"/> × the baseline median.</param>
/// <param name="Settings">How both were timed.</param>
internal sealed record SpeedupDecision(LatencyStatistics Baseline, LatencyStatistics Quantized, bool KeepQuantized, BenchmarkSettings Settings)
{
    /// <summary>Quantized median / fp32 median.</summary>
    public double Ratio => Quantized.P50Ms / Baseline.P50Ms;

    /// <summary>For the summary line, e.g. <c>StaticInt8 0.38× fp32 latency (p50 0.062 ms vs 0.165 ms)</c>, plus <c>, kept fp32</c> when it was not faster.</summary>
    public string Describe() => Invariant($"{Quantized.Label} {Ratio:0.00}× {Baseline.Label} latency (p50 {LatencyStatistics.FormatMs(Quantized.P50Ms)} vs {LatencyStatistics.FormatMs(Baseline.P50Ms)})")
        + (KeepQuantized ? "" : ", kept " + Baseline.Label);

    /// <summary>The report's figures: fp32 "before", quantized "after", and the decision.</summary>
    public LatencyFigures ToReport() => new(
        Baseline.P50Ms, Quantized.P50Ms,
        Invariant($"{Settings.Describe()}; {Baseline.Runs:#,0} and {Quantized.Runs:#,0} timed runs"),
        Baseline.Label, Quantized.Label,
        Baseline.P90Ms, Quantized.P90Ms, Baseline.P99Ms, Quantized.P99Ms,
        KeepQuantized
            ? Invariant($"kept {Quantized.Label}: {Ratio:0.00}× the {Baseline.Label} latency")
            : Invariant($"kept {Baseline.Label}: {Quantized.Label} is not faster ({Ratio:0.00}× the {Baseline.Label} latency; RequireSpeedup asks for at most {SpeedupGate.RequiredRatio:0.00}×)"));

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

/// <summary>
/// <c>[Quantize(..., RequireSpeedup = true)]</c> (or the project property
/// <c>OptimizerRequireSpeedup</c>, which the build task turns into that option): after the passes
/// and the accuracy check, the engine times the quantized model against the same plan without the
/// Quantize pass on this machine with <see cref="LatencyBenchmark"/> (batch 1, one intra-op
/// thread for both, warm-up, the two interleaved, median of single runs). The quantized model is
/// kept only when its median is at most <see cref="RequiredRatio"/> of the fp32 one — a speed-up
/// within the noise of a busy machine is not one; otherwise the fp32 model is written and warning
/// OPT1064 gives the figures.
/// </summary>
internal static class SpeedupGate
{
    public const string OptionName = nameof(QuantizeAttribute.RequireSpeedup);

    /// <summary>Quantized median / fp32 median at most this to keep the quantized model (at least 5% faster).</summary>
    public const double RequiredRatio = 0.95;

    /// <summary>Batch 1, one thread, 20 warm-up runs, 1 s of timing split over 10 rounds.</summary>
    public static readonly BenchmarkSettings Settings = new(Batch: 1, Threads: 1, WarmupRuns: 20, MinRuns: 20, Duration: TimeSpan.FromSeconds(1), Rounds: 10);

    /// <summary>The pass that asks for the gate (<c>RequireSpeedup=true</c>), or null.</summary>
    public static PlannedPass? DeclaredBy(OptimizationPlan plan) =>
        plan.Passes.FirstOrDefault(p => p.Options.TryGetValue(OptionName, out var value) && value.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>Times both models and decides; throws <see cref="EngineException"/> (OPT1065) when they cannot be timed.</summary>
    public static SpeedupDecision Measure(OptimizationPlan plan, PlannedPass declaredBy, byte[] baseline, byte[] quantized)
    {
        var label = declaredBy.Options.TryGetValue(nameof(QuantizeAttribute.Mode), out var mode) ? mode : "quantized";
        IReadOnlyList<LatencyStatistics> figures;
        try
        {
            figures = LatencyBenchmark.Run([("fp32", baseline), (label, quantized)], Settings);
        }
        catch (BenchmarkException e)
        {
            throw new EngineException(EngineErrorCodes.SpeedupNotMeasured,
                $"RequireSpeedup is declared but the models could not be timed: {e.Message}. Remove RequireSpeedup (or set OptimizerRequireSpeedup to false) for this model.",
                declaredBy.DeclaredAt ?? plan.DeclaredAt, e);
        }

        var decision = new SpeedupDecision(figures[0], figures[1], false, Settings);
        return decision with { KeepQuantized = decision.Ratio <= RequiredRatio };
    }

    /// <summary>Warning OPT1064 for a decision that kept fp32, with the figures.</summary>
    public static string Warning(OptimizationPlan plan, PlannedPass declaredBy, SpeedupDecision decision) =>
        CanonicalError.FormatWarning(EngineErrorCodes.QuantizedNotFaster,
            string.Create(CultureInfo.InvariantCulture,
                $"{plan.ModelPath}: the {decision.Quantized.Label} model is not faster than fp32 on this machine (p50 {LatencyStatistics.FormatMs(decision.Quantized.P50Ms)} vs {LatencyStatistics.FormatMs(decision.Baseline.P50Ms)}, {decision.Ratio:0.00}×; RequireSpeedup keeps it only at {RequiredRatio:0.00}× or less), so the fp32 model is kept (the other passes still apply). Timed with {Settings.Describe()}. Remove RequireSpeedup to keep the quantized model for its size."),
            declaredBy.DeclaredAt ?? plan.DeclaredAt);
}

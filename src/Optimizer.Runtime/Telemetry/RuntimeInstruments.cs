using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Optimizer.Runtime.Telemetry;

/// <summary>The process-wide meter, instruments and activity source every model reports through (<see cref="OptimizerTelemetry"/>).</summary>
internal static class RuntimeInstruments
{
    private static readonly string? Version = typeof(RuntimeInstruments).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly Meter Meter = new(OptimizerTelemetry.MeterName, Version);

    public static readonly ActivitySource Source = new(OptimizerTelemetry.ActivitySourceName, Version);

    // Runs take from about a microsecond (a small MLP on the compiled kernels) to seconds (a large
    // encoder batch): exporters' default buckets (0–10 000, made for milliseconds) would put them all in the first.
    public static readonly Histogram<double> Duration = Meter.CreateHistogram(
        OptimizerTelemetry.DurationInstrument, unit: "s", description: "Duration of one Run of a generated model class.", tags: null,
        advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });

    public static readonly Counter<long> Count = Meter.CreateCounter<long>(
        OptimizerTelemetry.CountInstrument, unit: "{run}", description: "Runs of a generated model class; failed ones are tagged error.type.");

    public static readonly Counter<long> OutOfRange = Meter.CreateCounter<long>(
        OptimizerTelemetry.OutOfRangeInstrument, unit: "{element}", description: "Input elements outside the range the build calibrated or validated the model on.");

    /// <summary>
    /// False only in the overhead benchmark's baseline, which measures <c>Run</c> without the
    /// instrumentation's checks (tests/Optimizer.Benchmarks/TelemetryOverheadBenchmarks.cs).
    /// </summary>
    internal static bool Instrumented { get; set; } = true;

    /// <summary>Whether any listener wants a measurement or an activity: without one a run skips all instrumentation.</summary>
    public static bool IsObserved =>
        Instrumented && (Duration.Enabled || Count.Enabled || OutOfRange.Enabled || Source.HasListeners());
}

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

    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        OptimizerTelemetry.DurationInstrument, unit: "s", description: "Duration of one Run of a generated model class.");

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

namespace Optimizer.Runtime;

/// <summary>
/// The names under which every generated class reports its runs, for <c>dotnet-counters</c>,
/// OpenTelemetry (<c>AddMeter(OptimizerTelemetry.MeterName)</c>, <c>AddSource(OptimizerTelemetry.ActivitySourceName)</c>)
/// or a <see cref="System.Diagnostics.Metrics.MeterListener"/>. Nothing is measured while no listener is attached.
/// </summary>
public static class OptimizerTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of every generated class.</summary>
    public const string MeterName = "Optimizer.Runtime";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> with one activity per <c>Run</c>.</summary>
    public const string ActivitySourceName = "Optimizer.Runtime";

    /// <summary>The activity started for each <c>Run</c>.</summary>
    public const string RunActivityName = "optimizer.inference";

    /// <summary>Histogram, seconds, one measurement per <c>Run</c> (failed ones too, tagged <see cref="ErrorTypeTag"/>).</summary>
    public const string DurationInstrument = "optimizer.inference.duration";

    /// <summary>Counter of <c>Run</c> calls; failed calls carry <see cref="ErrorTypeTag"/>.</summary>
    public const string CountInstrument = "optimizer.inference.count";

    /// <summary>
    /// Counter of input elements outside the range the build prepared the model for
    /// (<see cref="TensorMetadata.CalibratedRange"/>), tagged with <see cref="ModelTag"/> and <see cref="InputTag"/>.
    /// </summary>
    public const string OutOfRangeInstrument = "optimizer.input.out_of_range";

    /// <summary>The model's name: the generated class's full name.</summary>
    public const string ModelTag = "optimizer.model";

    /// <summary><c>onnxruntime</c> or <c>compiled</c>.</summary>
    public const string ExecutionPathTag = "optimizer.execution_path";

    /// <summary>The embedded variant that runs (e.g. <c>int8</c>, <c>fp32</c>), or <c>default</c> when the build embedded one.</summary>
    public const string VariantTag = "optimizer.variant";

    /// <summary>The leading dimension of the first input (1 for a scalar).</summary>
    public const string BatchSizeTag = "optimizer.batch_size";

    /// <summary>The input whose elements were out of range.</summary>
    public const string InputTag = "optimizer.input";

    /// <summary>The full name of the exception a failed <c>Run</c> threw (OpenTelemetry's <c>error.type</c>).</summary>
    public const string ErrorTypeTag = "error.type";
}

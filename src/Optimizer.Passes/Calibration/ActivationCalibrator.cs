using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Passes.Calibration;

/// <summary>The options that decide calibrated ranges.</summary>
/// <param name="Method">How a range is chosen from a histogram.</param>
/// <param name="Percentile">The percentile kept by <see cref="CalibrationMethod.Percentile"/>.</param>
internal sealed record CalibrationSettings(CalibrationMethod Method, double Percentile)
{
    public const int BatchSize = 64;

    /// <summary>Canonical text for the cache key.</summary>
    public override string ToString() => FormattableString.Invariant($"method={Method};percentile={Percentile:R};batch={BatchSize}");
}

/// <summary>
/// Runs the float model over the calibration samples (batches of <see cref="CalibrationSettings.BatchSize"/>
/// where the set allows, else one sample per run) and streams each observed value into its own
/// running histogram; only one feed's activations are in memory at a time.
/// </summary>
internal static class ActivationCalibrator
{
    private static readonly ObservedRunErrors Errors = new(PassErrorCodes.CalibrationShapeMismatch, PassErrorCodes.CalibrationRunFailed, Quantization.QuantizePass.Name);

    public static CalibrationResult Calibrate(OnnxModel model, SampleSet data, IModelExecutor executor,
        IReadOnlyCollection<string> observed, CalibrationSettings settings)
    {
        var histograms = observed.Distinct().ToDictionary(n => n, _ => new RunningHistogram());
        ObservedRuns.Stream(model, data, executor, histograms.Keys.ToArray(), CalibrationSettings.BatchSize, Errors,
            (name, values, _) => histograms[name].Add(values));
        return new CalibrationResult(histograms.ToDictionary(h => h.Key, h => RangeSelector.Select(h.Value, settings.Method, settings.Percentile)));
    }
}

using Optimizer.Onnx;

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
/// Runs the float model over the calibration data in batches and streams each observed value
/// into its own running histogram; only one batch of activations is in memory at a time.
/// </summary>
internal static class ActivationCalibrator
{
    public static CalibrationResult Calibrate(OnnxModel model, CalibrationDataSet data, IModelExecutor executor,
        IReadOnlyCollection<string> observed, CalibrationSettings settings)
    {
        var input = SingleInput(model);
        var sampleShape = SampleShape(input, data);
        var histograms = observed.Distinct().ToDictionary(n => n, _ => new RunningHistogram());
        var intermediate = histograms.Keys.Where(n => n != input.Name).ToArray();
        using var session = intermediate.Length > 0 ? executor.Open(model, intermediate) : null;
        for (var start = 0; start < data.SampleCount; start += CalibrationSettings.BatchSize)
        {
            var count = Math.Min(CalibrationSettings.BatchSize, data.SampleCount - start);
            var batch = data.Values.AsSpan(start * data.SampleSize, count * data.SampleSize).ToArray();
            if (histograms.TryGetValue(input.Name, out var inputHistogram))
            {
                inputHistogram.Add(batch);
            }

            if (session is null)
            {
                continue;
            }

            IReadOnlyList<FloatTensor> outputs;
            try
            {
                outputs = session.Run(new Dictionary<string, FloatTensor> { [input.Name] = new(batch, [count, .. sampleShape]) });
            }
            catch (Exception e) when (e is not PassException)
            {
                throw new PassException(PassErrorCodes.CalibrationRunFailed,
                    $"Running the float model on calibration samples {start}..{start + count - 1} failed: {e.Message} Check that the data matches the model input '{input.Name}'.", Quantization.QuantizePass.Name);
            }

            for (var i = 0; i < intermediate.Length; i++)
            {
                histograms[intermediate[i]].Add(outputs[i].Values);
            }
        }

        return new CalibrationResult(histograms.ToDictionary(h => h.Key, h => RangeSelector.Select(h.Value, settings.Method, settings.Percentile)));
    }

    private static ValueInfo SingleInput(OnnxModel model)
    {
        var inputs = model.Graph.Inputs;
        return inputs.Count == 1 ? inputs[0]
            : throw new PassException(PassErrorCodes.CalibrationShapeMismatch,
                $"The model has {inputs.Count} inputs; calibration data feeds exactly one in this version.", Quantization.QuantizePass.Name);
    }

    /// <summary>The model input's dimensions after the batch dimension, filled from the data where the model leaves them open.</summary>
    private static long[] SampleShape(ValueInfo input, CalibrationDataSet data)
    {
        var declared = input.Type?.Shape;
        if (declared is null || declared.Count < 1 || declared.Skip(1).Any(d => d.Size is null))
        {
            return data.Shape.Skip(1).ToArray();
        }

        var shape = declared.Skip(1).Select(d => d.Size!.Value).ToArray();
        var size = shape.Aggregate(1L, (a, b) => a * b);
        return size == data.SampleSize ? shape
            : throw new PassException(PassErrorCodes.CalibrationShapeMismatch,
                $"Calibration samples have {data.SampleSize} values each (shape [{string.Join(",", data.Shape)}]) but model input '{input.Name}' takes [{string.Join(",", declared)}] ({size} per sample). Supply data with one sample per model input.", Quantization.QuantizePass.Name);
    }
}

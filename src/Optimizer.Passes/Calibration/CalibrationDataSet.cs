namespace Optimizer.Passes.Calibration;

/// <summary>
/// Calibration samples already loaded by the caller: float32 values in C order with a shape
/// whose first dimension counts samples (e.g. [1347, 64] or [1347, 1, 8, 8]). The calibrator
/// reshapes each sample to the model input's fixed dimensions when the element counts agree.
/// </summary>
public sealed class CalibrationDataSet
{
    /// <summary>Creates a data set; <paramref name="values"/> must fill <paramref name="shape"/>.</summary>
    /// <exception cref="PassException">The values do not fill the shape (<see cref="PassErrorCodes.CalibrationDataInvalid"/>).</exception>
    public CalibrationDataSet(float[] values, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var d in shape)
        {
            count = d < 0 ? -1 : count * d;
        }

        if (shape.Count == 0 || count != values.LongLength)
        {
            throw new PassException(PassErrorCodes.CalibrationDataInvalid,
                $"Calibration data of shape [{string.Join(",", shape)}] needs {count} values but has {values.LongLength}. Declare the shape the data was written with (samples first).");
        }

        Values = values;
        Shape = shape.ToArray();
    }

    /// <summary>All samples, C order.</summary>
    public float[] Values { get; }

    /// <summary>The shape; <c>Shape[0]</c> is the number of samples.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The number of samples.</summary>
    public int SampleCount => (int)Shape[0];

    /// <summary>Values per sample.</summary>
    public int SampleSize => SampleCount == 0 ? 0 : Values.Length / SampleCount;
}

using System.Globalization;
using Optimizer.Engine.Diagnostics;
using Optimizer.Passes.Calibration;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// Refuses data no model should be calibrated or judged on: a NaN or infinite value makes every
/// range and every comparison NaN (the build then said "agreement 0.0%, SQNR NaN" and shipped a
/// broken model), and data with no normal value (only zeros and denormals) calibrates every scale
/// to nothing. The error names the first bad sample and element so the file can be fixed.
/// </summary>
internal static class DataValues
{
    /// <exception cref="EngineException"><see cref="EngineErrorCodes.DataFileValuesInvalid"/>.</exception>
    public static void Check(CalibrationDataSet set, string declared, string option, DiagnosticLocation? at)
    {
        var values = set.Values;
        var sampleSize = Math.Max(1, set.SampleSize);
        var anyNormal = false;
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            if (!float.IsFinite(value))
            {
                throw NotFinite($"The {option} file '{declared}'", value, i, sampleSize, at);
            }

            anyNormal |= float.IsNormal(value);
        }

        if (!anyNormal && values.Length > 0)
        {
            var first = Array.FindIndex(values, v => v != 0);
            throw new EngineException(EngineErrorCodes.DataFileValuesInvalid, string.Create(CultureInfo.InvariantCulture,
                $"The {option} file '{declared}' holds no normal value: all {values.Length} values are zero or denormal{(first >= 0 ? $" (the first non-zero, at sample {first / sampleSize}, element {first % sampleSize}, is the denormal {values[first]:R})" : "")}. It is probably not the data the model takes (wrong dtype or scale when it was saved); save the real inputs as float32."), at);
        }
    }

    /// <summary>
    /// Refuses NaN and infinite values in every floating-point array of a <c>.npz</c> (zeros are
    /// fine there: state inputs and masks are often all zeros).
    /// </summary>
    /// <exception cref="EngineException"><see cref="EngineErrorCodes.DataFileValuesInvalid"/>.</exception>
    public static void CheckFinite(NpzArray array, string declared, string option, DiagnosticLocation? at)
    {
        if (!NpzArray.IsFloat(array.ElementType))
        {
            return;
        }

        var count = array.ElementCount;
        var sampleSize = array.Shape.Count > 0 && array.Shape[0] > 0 ? Math.Max(1, count / array.Shape[0]) : Math.Max(1, count);
        for (long i = 0; i < count; i++)
        {
            var value = array.FloatAt(i);
            if (!double.IsFinite(value))
            {
                throw NotFinite($"The {option} file '{declared}', array '{array.Name}',", value, i, sampleSize, at);
            }
        }
    }

    /// <param name="subject">The file (and array) holding the value, starting the message.</param>
    private static EngineException NotFinite(string subject, double value, long index, long sampleSize, DiagnosticLocation? at) =>
        new(EngineErrorCodes.DataFileValuesInvalid, string.Create(CultureInfo.InvariantCulture,
            $"{subject} holds {Describe(value)} at sample {index / sampleSize}, element {index % sampleSize} (flat index {index}). Calibration and accuracy figures over it would be meaningless; fix or drop the sample (e.g. numpy.nan_to_num, or remove rows where ~numpy.isfinite(x).all(axis=1))."), at);

    private static string Describe(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity";
}

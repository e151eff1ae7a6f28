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
                throw new EngineException(EngineErrorCodes.DataFileValuesInvalid, string.Create(CultureInfo.InvariantCulture,
                    $"The {option} file '{declared}' holds {Describe(value)} at sample {i / sampleSize}, element {i % sampleSize} (flat index {i}). Calibration and accuracy figures over it would be meaningless; fix or drop the sample (e.g. numpy.nan_to_num, or remove rows where ~numpy.isfinite(x).all(axis=1))."), at);
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

    private static string Describe(float value) => float.IsNaN(value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity";
}

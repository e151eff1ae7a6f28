using System.Globalization;

namespace Optimizer.Passes.Pruning;

/// <summary>Turns the <c>Prune</c> request's string options into <see cref="PruneSettings"/>, refusing bad values with coded errors.</summary>
internal static class PruneOptionsParser
{
    public const double DefaultSparsity = 0.5;

    /// <param name="options">The request's options.</param>
    /// <param name="sharedCalibration">Calibration data another request of the pipeline declares (StaticInt8 Quantize), used when the Prune request names none.</param>
    public static PruneSettings Parse(IReadOnlyDictionary<string, string> options, string? sharedCalibration = null)
    {
        var parsed = new PassOptions(PrunePass.Name, options, "Sparsity", "Structure", "Scope", "Exclude", "Norm", "Ranking", "Calibration", "BiasCorrection");
        var own = parsed.Get("Calibration") is { } text ? text.Length > 0 ? text
            : throw new PassException(PassErrorCodes.PruneCalibrationDataMissing,
                "Prune Calibration is empty: name the calibration data set (a .npy or raw float32 file the build loads), or leave it out.", PrunePass.Name) : null;
        return new PruneSettings(
            ParseSparsity(parsed.Get("Sparsity")),
            ParseName(parsed.Get("Structure"), PruneStructure.Unstructured, "Structure", PassErrorCodes.PruneUnknownStructure),
            ParseName(parsed.Get("Scope"), PruneScope.Global, "Scope", PassErrorCodes.PruneUnknownScope),
            ParseName(parsed.Get("Norm"), FilterNorm.L1, "Norm", PassErrorCodes.PruneUnknownNorm),
            ParseName(parsed.Get("Ranking"), GlobalRanking.Lamp, "Ranking", PassErrorCodes.PruneUnknownRanking),
            LayerExclusions.Parse(parsed.Get("Exclude")),
            own ?? (string.IsNullOrEmpty(sharedCalibration) ? null : sharedCalibration),
            parsed.GetBool("BiasCorrection", true),
            own is null && !string.IsNullOrEmpty(sharedCalibration));
    }

    private static double ParseSparsity(string? text)
    {
        if (text is null)
        {
            return DefaultSparsity;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0 && value < 1))
        {
            throw new PassException(PassErrorCodes.PruneSparsityOutOfRange,
                $"Prune Sparsity must be a number between 0 and 1 (exclusive), written with a '.' decimal point, e.g. 0.5; got '{text}'.", PrunePass.Name);
        }

        return value;
    }

    // Enum.TryParse would also accept numbers ("1") and combinations ("Layer,Global"); only the names are valid here.
    private static T ParseName<T>(string? text, T defaultValue, string option, string code)
        where T : struct, Enum
    {
        if (text is null)
        {
            return defaultValue;
        }

        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(value.ToString(), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new PassException(code,
            $"Prune {option} '{text}' is not known. Use one of: {string.Join(", ", Enum.GetNames<T>())}.", PrunePass.Name);
    }
}

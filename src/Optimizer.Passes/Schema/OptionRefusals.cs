using System.Globalization;

namespace Optimizer.Passes.Schema;

/// <summary>
/// The code and wording a refused option value gets from the passes. Most options share
/// <see cref="PassErrorCodes.InvalidOption"/>; Prune's options kept the codes they were released
/// with (users may filter on them).
/// </summary>
internal static class OptionRefusals
{
    private static readonly Dictionary<(string Pass, string Option), string> Codes = new()
    {
        [(PassSchema.Prune.Name, nameof(Runtime.PruneAttribute.Sparsity))] = PassErrorCodes.PruneSparsityOutOfRange,
        [(PassSchema.Prune.Name, nameof(Runtime.PruneAttribute.Structure))] = PassErrorCodes.PruneUnknownStructure,
        [(PassSchema.Prune.Name, nameof(Runtime.PruneAttribute.Scope))] = PassErrorCodes.PruneUnknownScope,
        [(PassSchema.Prune.Name, nameof(Runtime.PruneAttribute.Norm))] = PassErrorCodes.PruneUnknownNorm,
        [(PassSchema.Prune.Name, nameof(Runtime.PruneAttribute.Ranking))] = PassErrorCodes.PruneUnknownRanking,
        [(PassSchema.Prune.Name, nameof(Runtime.PruneAttribute.Calibration))] = PassErrorCodes.PruneCalibrationDataMissing,
    };

    public static string CodeFor(PassDescriptor pass, OptionDescriptor option) =>
        Codes.TryGetValue((pass.Name, option.Name), out var code) ? code : PassErrorCodes.InvalidOption;

    /// <summary>What a valid value looks like, e.g. "a number between 0 and 1 (exclusive), written with a '.' decimal point, e.g. 0.5".</summary>
    public static string Describe(OptionDescriptor option) => option.Kind switch
    {
        OptionKind.Number => string.Create(CultureInfo.InvariantCulture,
            $"{(option.IsInteger ? "a whole number" : "a number")}{(option.Range.IsAny ? "" : $" between {option.Range.Min} and {option.Range.Max} ({option.Range})")}{(option.PowerOfTwo ? " and a power of two" : "")}, written with a '.' decimal point{(option.DefaultText is { } d ? $", e.g. {d}" : "")}"),
        OptionKind.Path => "the name of a data set (a .npy or raw float32 file the build loads)",
        _ => option.AllowedText,
    };
}

using System.Globalization;
using Optimizer.Passes.Calibration;

namespace Optimizer.Passes.Quantization;

/// <summary>
/// The <c>Quantize</c> request: picks the pass for its <c>Mode</c> option. Float16 is a mode of
/// Quantize rather than a pass of its own because the modes exclude each other (one numeric
/// format per model), and the pipeline's one-request-per-pass rule then enforces that.
/// </summary>
internal static class QuantizePass
{
    public const string Name = "Quantize";

    private const string DynamicInt8 = "DynamicInt8";
    private const string StaticInt8 = "StaticInt8";
    private const string Float16 = "Float16";
    private const string Int4 = "Int4";
    private const string AvailableModes = $"{DynamicInt8}, {StaticInt8}, {Float16}, {Int4}";

    /// <summary>Modes the design names that this version does not implement yet.</summary>
    private static readonly string[] PlannedModes = ["WeightOnlyInt8"];

    public static IModelPass Create(IReadOnlyDictionary<string, string> options) => Create(options, PassContext.Empty);

    public static IModelPass Create(IReadOnlyDictionary<string, string> options, PassContext context)
    {
        var mode = options.FirstOrDefault(o => o.Key.Equals("Mode", StringComparison.OrdinalIgnoreCase)).Value ?? DynamicInt8;
        if (PlannedModes.Contains(mode, StringComparer.OrdinalIgnoreCase))
        {
            throw new PassException(PassErrorCodes.OptionValueNotAvailable,
                $"Quantize Mode={mode} is not available in this version of Optimizer.Build. Available: Mode={AvailableModes}.", Name);
        }

        if (mode.Equals(DynamicInt8, StringComparison.OrdinalIgnoreCase))
        {
            var parsed = new PassOptions(Name, options, "Mode", "PerChannel", "ReduceRange");
            return new DynamicInt8Quantization(parsed.GetBool("PerChannel", true), parsed.GetBool("ReduceRange", true));
        }

        if (mode.Equals(StaticInt8, StringComparison.OrdinalIgnoreCase))
        {
            var parsedStatic = new PassOptions(Name, options, "Mode", "Calibration", "CalibrationMethod", "Percentile", "ActivationType", "ReduceRange", "WeightGranularity", "KeepFloat", "Format");
            return new StaticInt8Quantization(StaticOptions(parsedStatic) with { KeepFloat = QdqPlanner.ParseKeepFloat(parsedStatic.Get("KeepFloat")) }, context);
        }

        if (mode.Equals(Float16, StringComparison.OrdinalIgnoreCase))
        {
            var parsed = new PassOptions(Name, options, "Mode", "KeepFp32");
            return new Precision.Float16Conversion(Precision.Float16Conversion.ParseKeepList(parsed.Get("KeepFp32")));
        }

        if (mode.Equals(Int4, StringComparison.OrdinalIgnoreCase))
        {
            var parsed = new PassOptions(Name, options, "Mode", "BlockSize", "Symmetric");
            return new Int4WeightQuantization(BlockSize(parsed.Get("BlockSize")), parsed.GetBool("Symmetric", false));
        }

        throw new PassException(PassErrorCodes.InvalidOption,
            $"Quantize Mode '{mode}' is not a quantization mode. Available in this version: {AvailableModes}.", Name);
    }

    private static StaticInt8Options StaticOptions(PassOptions parsed)
    {
        var calibration = parsed.Get("Calibration") is { Length: > 0 } path ? path
            : throw new PassException(PassErrorCodes.CalibrationDataMissing,
                "Quantize Mode=StaticInt8 needs calibration data: set Calibration to a .npy file (or raw float32 with a declared shape) of representative inputs.", Name);
        var method = Parse(parsed, "CalibrationMethod", CalibrationMethod.Entropy);
        var activationType = Parse(parsed, "ActivationType", ActivationType.UInt8);
        var percentile = 99.999;
        if (parsed.Get("Percentile") is { } text && (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out percentile) || percentile <= 50 || percentile > 100))
        {
            throw new PassException(PassErrorCodes.InvalidOption, $"The Quantize option Percentile must be a number in (50, 100], not '{text}'.", Name);
        }

        return new StaticInt8Options(calibration, new CalibrationSettings(method, percentile), activationType, parsed.GetBool("ReduceRange", true),
            Granularity: Parse(parsed, "WeightGranularity", WeightGranularity.Auto), Format: Parse(parsed, "Format", QuantizationFormat.Qdq));
    }

    private static T Parse<T>(PassOptions parsed, string name, T defaultValue)
        where T : struct, Enum
    {
        if (parsed.Get(name) is not { } text)
        {
            return defaultValue;
        }

        return Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) ? value
            : throw new PassException(PassErrorCodes.InvalidOption, $"The Quantize option {name} must be one of {string.Join(", ", Enum.GetNames<T>())}, not '{text}'.", Name);
    }

    private static int BlockSize(string? text)
    {
        if (text is null)
        {
            return 32;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size >= 16 && (size & (size - 1)) == 0 ? size
            : throw new PassException(PassErrorCodes.InvalidOption, $"The Quantize option BlockSize must be a power of two ≥ 16 (MatMulNBits), not '{text}'.", Name);
    }
}

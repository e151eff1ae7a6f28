namespace Optimizer.Passes.Quantization;

/// <summary>
/// The <c>Quantize</c> request: picks the quantization pass for its <c>Mode</c> option and
/// refuses modes this version does not implement.
/// </summary>
internal static class QuantizePass
{
    public const string Name = "Quantize";

    private const string DynamicInt8 = "DynamicInt8";

    /// <summary>Modes the design names that this version does not implement yet.</summary>
    private static readonly string[] PlannedModes = ["StaticInt8", "Float16", "Int4", "WeightOnlyInt8", "WeightOnlyInt4"];

    public static IModelPass Create(IReadOnlyDictionary<string, string> options)
    {
        var mode = options.FirstOrDefault(o => o.Key.Equals("Mode", StringComparison.OrdinalIgnoreCase)).Value ?? DynamicInt8;
        if (PlannedModes.Contains(mode, StringComparer.OrdinalIgnoreCase))
        {
            throw new PassException(PassErrorCodes.OptionValueNotAvailable,
                $"Quantize Mode={mode} is not available in this version of Optimizer.Build. Available: Mode={DynamicInt8}.", Name);
        }

        if (!mode.Equals(DynamicInt8, StringComparison.OrdinalIgnoreCase))
        {
            throw new PassException(PassErrorCodes.InvalidOption,
                $"Quantize Mode '{mode}' is not a quantization mode. Available in this version: {DynamicInt8}.", Name);
        }

        var parsed = new PassOptions(Name, options, "Mode", "PerChannel", "ReduceRange");
        return new DynamicInt8Quantization(parsed.GetBool("PerChannel", true), parsed.GetBool("ReduceRange", true));
    }
}

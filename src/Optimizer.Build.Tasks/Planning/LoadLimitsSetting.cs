using System.Globalization;

namespace Optimizer.Build.Tasks.Planning;

/// <summary>
/// The project properties that lift the engine's load limits for trusted models: <c>OptimizerTrustModel</c>
/// (no cap on the model file or its external data), <c>OptimizerMaxModelBytes</c>, <c>OptimizerMaxExternalDataBytes</c>.
/// Written into every plan as <c>"loadLimits"</c> (the engine's PlanLoadLimits reads it); without them the hostile-input defaults apply.
/// </summary>
internal sealed class LoadLimitsSetting
{
    public const string TrustProperty = "OptimizerTrustModel", MaxModelBytesProperty = "OptimizerMaxModelBytes", MaxExternalDataBytesProperty = "OptimizerMaxExternalDataBytes";

    private LoadLimitsSetting(bool trust, long? maxModelBytes, long? maxExternalDataBytes) =>
        (Trust, MaxModelBytes, MaxExternalDataBytes) = (trust, maxModelBytes, maxExternalDataBytes);

    public bool Trust { get; }
    public long? MaxModelBytes { get; }
    public long? MaxExternalDataBytes { get; }

    /// <summary>The setting, null when no property is set; <paramref name="problem"/> names a property that is not a positive number.</summary>
    public static LoadLimitsSetting? Parse(bool trust, string? maxModelBytes, string? maxExternalDataBytes, out string? problem)
    {
        problem = null;
        var model = Bytes(maxModelBytes, MaxModelBytesProperty, ref problem);
        var external = Bytes(maxExternalDataBytes, MaxExternalDataBytesProperty, ref problem);
        return problem is null && (trust || model is not null || external is not null) ? new LoadLimitsSetting(trust, model, external) : null;
    }

    private static long? Bytes(string? text, string property, ref string? problem)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (long.TryParse(text!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
            return value;
        problem = $"{property} is '{text}', but it must be a positive number of bytes. Fix the property or remove it.";
        return null;
    }
}

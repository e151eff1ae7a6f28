using System.Globalization;
using System.Text.Json;
using Optimizer.Engine.Cli;
using Optimizer.Engine.Diagnostics;
using Optimizer.Onnx;

namespace Optimizer.Engine.Plans;

/// <summary>
/// The load limits a user lifts for a model they trust: the plan's optional <c>"loadLimits"</c> object
/// (<c>{"trustModel": true, "maxModelBytes": n, "maxExternalDataBytes": n}</c>, written by the task from
/// <c>OptimizerTrustModel</c>/<c>OptimizerMaxModelBytes</c>/<c>OptimizerMaxExternalDataBytes</c>) or the CLI's <c>--trust-model</c>, <c>--max-model-bytes</c>, <c>--max-external-data-bytes</c>.
/// Without any, the hostile-input defaults of <see cref="ModelLoadLimits.Default"/> apply.
/// </summary>
public static class PlanLoadLimits
{
    /// <summary>The plan-file properties and the CLI options (the build task writes the former, onnx-opt takes the latter).</summary>
    public const string TrustJson = "trustModel", MaxModelBytesJson = "maxModelBytes", MaxExternalDataBytesJson = "maxExternalDataBytes";

    public const string TrustOption = "--trust-model", MaxModelBytesOption = "--max-model-bytes", MaxExternalDataBytesOption = "--max-external-data-bytes";

    public const string Usage = "[--trust-model] [--max-model-bytes <n>] [--max-external-data-bytes <n>]";

    /// <summary>The limits from a plan file's root object (null when it sets none).</summary>
    public static ModelLoadLimits? FromJson(JsonElement root, DiagnosticLocation location)
    {
        if (!root.TryGetProperty("loadLimits", out var limits) || limits.ValueKind != JsonValueKind.Object)
            return null;
        var trust = limits.TryGetProperty(TrustJson, out var t) && t.ValueKind == JsonValueKind.True;
        long? Number(string name) => limits.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.TryGetInt64(out var n) && n > 0 ? n : throw new EngineException(EngineErrorCodes.PlanInvalid, $"The plan's loadLimits.{name} is not a positive whole number.", location)
            : null;
        return Build(trust, Number(MaxModelBytesJson), Number(MaxExternalDataBytesJson));
    }

    /// <summary>The limits from command-line arguments (null when none is given).</summary>
    public static ModelLoadLimits? FromArguments(IReadOnlyList<string> args)
    {
        var trust = args.Contains(TrustOption);
        long? Number(string option) => ArgumentReader.Value(args, option) is { } text
            ? long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
                : throw new EngineException(EngineErrorCodes.Usage, $"{option} '{text}' is not a positive number of bytes.")
            : null;
        return Build(trust, Number(MaxModelBytesOption), Number(MaxExternalDataBytesOption));
    }

    private static ModelLoadLimits? Build(bool trust, long? maxModelBytes, long? maxExternalDataBytes)
    {
        if (!trust && maxModelBytes is null && maxExternalDataBytes is null)
            return null;
        var limits = trust ? ModelLoadLimits.Trusted : ModelLoadLimits.Default;
        return limits with
        {
            MaxModelBytes = maxModelBytes ?? limits.MaxModelBytes,
            MaxExternalDataBytes = maxExternalDataBytes ?? limits.MaxExternalDataBytes,
        };
    }
}

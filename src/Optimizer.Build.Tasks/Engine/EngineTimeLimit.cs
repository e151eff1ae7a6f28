using System.Globalization;

namespace Optimizer.Build.Tasks.Engine;

/// <summary>
/// The wall-clock limit of one engine run, in seconds: $(OptimizerEngineTimeout) for the project,
/// EngineTimeout metadata on an &lt;OnnxModel&gt; item for one model. Past it the task kills the
/// engine's process tree and reports OPT1023, so no model can hang a build.
/// </summary>
internal static class EngineTimeLimit
{
    /// <summary>An hour: far above what real models take (seconds to minutes), short enough to end a stuck CI job.</summary>
    public const int DefaultSeconds = 3600;

    /// <summary>The project property, named in messages.</summary>
    public const string Property = "OptimizerEngineTimeout";

    /// <summary>The &lt;OnnxModel&gt; item metadata that overrides it for one model.</summary>
    public const string ItemMetadata = "EngineTimeout";

    /// <summary>Whole seconds, at least 1; <paramref name="fallback"/> when empty; null when not such a number.</summary>
    public static int? Parse(string? text, int fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        return int.TryParse(text!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? seconds
            : null;
    }

    /// <summary>The message part that says what a valid value is.</summary>
    public const string Expected = "a whole number of seconds, at least 1";
}

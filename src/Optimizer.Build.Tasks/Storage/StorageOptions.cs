using System.Globalization;

namespace Optimizer.Build.Tasks.Storage;

/// <summary>Where the app finds its optimized model, kernel programs and external data at run time.</summary>
internal enum WeightsStorageMode
{
    /// <summary>Embedded up to <see cref="StorageOptions.EmbedLimitProperty"/> bytes, beside the app past it or with external data.</summary>
    Auto,

    /// <summary>Embedded in the app's assembly (the default for every model that fits).</summary>
    Embedded,

    /// <summary>Copied beside the app (the models folder) and loaded from there.</summary>
    Files,
}

/// <summary>
/// The declaration of weights storage, once: the project properties, the &lt;OnnxModel&gt; metadata,
/// their defaults and how a value is read. <see cref="StorageDecision"/> applies it to a plan's outputs.
/// </summary>
internal static class StorageOptions
{
    public const string Property = "OptimizerWeightsStorage";
    public const string ItemMetadata = "WeightsStorage";
    public const string EmbedLimitProperty = "OptimizerEmbedLimitBytes";
    public const string FolderProperty = "OptimizerModelsFolder";

    /// <summary>256 MiB: assemblies far past it are slow to load and to build; the whole assembly image is mapped.</summary>
    public const long DefaultEmbedLimitBytes = 256L * 1024 * 1024;

    /// <summary>The folder under the app's base directory the files go to.</summary>
    public const string DefaultFolder = "models";

    public const string ExpectedMode = "Auto, Embedded or Files";
    public const string ExpectedLimit = "a whole number of bytes, at least 0";
    public const string ExpectedFolder = "a relative folder without '..' (e.g. models), or empty for the app's own folder";

    /// <summary>The mode named by <paramref name="text"/> (any case); <paramref name="fallback"/> when empty; null when not a mode.</summary>
    public static WeightsStorageMode? ParseMode(string? text, WeightsStorageMode fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        foreach (WeightsStorageMode mode in Enum.GetValues(typeof(WeightsStorageMode)))
        {
            if (string.Equals(mode.ToString(), text!.Trim(), StringComparison.OrdinalIgnoreCase))
                return mode;
        }

        return null;
    }

    /// <summary>The embed limit in bytes; the default when empty; null when not a whole number.</summary>
    public static long? ParseLimit(string? text) =>
        string.IsNullOrWhiteSpace(text) ? DefaultEmbedLimitBytes
        : long.TryParse(text!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : null;

    /// <summary>
    /// The folder as a '/'-separated relative path without a trailing '/' ("" for the app's own folder);
    /// the default when null; null when rooted or climbing out ('..').
    /// </summary>
    public static string? ParseFolder(string? text)
    {
        if (text is null)
            return DefaultFolder;
        var segments = text.Replace('\\', '/').Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries)
            .Where(segment => segment != ".").ToArray();
        if (Path.IsPathRooted(text) || text.Contains(":") || segments.Any(segment => segment == ".." || segment.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0))
            return null;
        return string.Join("/", segments);
    }
}

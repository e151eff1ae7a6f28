using System.Text.Json;

namespace Optimizer.Runtime;

/// <summary>
/// The class names a model carries in its ONNX metadata: the <c>labels</c> entry of
/// <c>metadata_props</c>, as a JSON array of strings (<c>["cat", "dog"]</c>) or a list separated by
/// new lines or commas (<c>cat,dog</c>).
/// </summary>
internal static class ModelLabels
{
    /// <summary>The metadata_props key read for class names.</summary>
    public const string Key = "labels";

    /// <summary>The labels, or <see langword="null"/> when the entry is absent or empty.</summary>
    public static IReadOnlyList<string>? From(IReadOnlyDictionary<string, string> metadataProps)
    {
        if (!metadataProps.TryGetValue(Key, out string? text) || string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        string trimmed = text.Trim();
        if (trimmed.StartsWith('['))
        {
            try
            {
                using JsonDocument json = JsonDocument.Parse(trimmed);
                if (json.RootElement.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
                {
                    return Array.AsReadOnly(json.RootElement.EnumerateArray().Select(e => e.GetString()!).ToArray());
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: read it as a separated list below.
            }
        }

        char separator = trimmed.Contains('\n') ? '\n' : ',';
        return Array.AsReadOnly(trimmed.Split(separator).Select(l => l.Trim()).ToArray());
    }
}

using System.Text.RegularExpressions;

namespace Optimizer.Passes.Pruning;

/// <summary>
/// The layers the user keeps out of pruning: <c>Exclude = "name1;classifier*;OpType:Conv"</c>. An
/// entry matches a node's name, its first output's name or its weight initializer's name (so the
/// names a PyTorch export shows, like <c>fc.weight</c>, work too), with <c>*</c> matching any
/// characters; <c>OpType:X</c> matches every node of that operator.
/// </summary>
internal sealed class LayerExclusions
{
    private const string OpTypePrefix = "OpType:";

    private readonly string[] _names;
    private readonly string[] _opTypes;

    private LayerExclusions(string[] names, string[] opTypes)
    {
        _names = names;
        _opTypes = opTypes;
    }

    public static LayerExclusions None { get; } = new([], []);

    /// <summary>The entries as the user wrote them, for the report.</summary>
    public IEnumerable<string> Entries => _names.Concat(_opTypes.Select(o => OpTypePrefix + o));

    public static LayerExclusions Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return None;
        }

        var entries = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var opTypes = new List<string>();
        var names = new List<string>();
        foreach (var entry in entries)
        {
            if (!entry.StartsWith(OpTypePrefix, StringComparison.OrdinalIgnoreCase))
            {
                names.Add(entry);
                continue;
            }

            var opType = entry[OpTypePrefix.Length..].Trim();
            if (opType.Length == 0)
            {
                throw new PassException(PassErrorCodes.PruneExcludeInvalid,
                    $"Prune Exclude entry '{entry}' names no operator. Write OpType:<operator>, e.g. OpType:Conv, or a node name; separate entries with ';'.", PrunePass.Name);
            }

            opTypes.Add(opType);
        }

        return new LayerExclusions(names.ToArray(), opTypes.ToArray());
    }

    /// <summary>The entry that excludes the layer, or null when it may be pruned.</summary>
    public string? Match(PrunableLayer layer) => Entries.FirstOrDefault(e => Matches(layer, e));

    /// <summary>Entries that match none of <paramref name="layers"/>, so the user hears about typos.</summary>
    public IEnumerable<string> Unmatched(IReadOnlyCollection<PrunableLayer> layers) =>
        Entries.Where(e => !layers.Any(l => Matches(l, e)));

    private static bool Matches(PrunableLayer layer, string entry)
    {
        if (entry.StartsWith(OpTypePrefix, StringComparison.Ordinal))
        {
            // Operator names are case-sensitive in ONNX, but a user writing "OpType:conv" means Conv.
            return entry[OpTypePrefix.Length..].Equals(layer.Node.OpType, StringComparison.OrdinalIgnoreCase);
        }

        return NameMatches(entry, layer.Node.Name) || NameMatches(entry, layer.Node.Outputs.FirstOrDefault()) || NameMatches(entry, layer.WeightName);
    }

    private static bool NameMatches(string pattern, string? name) =>
        name is not null && (pattern.Contains('*')
            ? Regex.IsMatch(name, "^" + Regex.Escape(pattern).Replace("\\*", ".*") + "$", RegexOptions.CultureInvariant)
            : pattern == name);
}

using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>One requested pass with its options (sorted by name so equal requests compare equal).</summary>
internal sealed class PassDeclaration
{
    public PassDeclaration(string pass, IEnumerable<KeyValuePair<string, string>> options, SourceLocation location)
    {
        Pass = pass;
        Options = options.OrderBy(o => o.Key, System.StringComparer.Ordinal).ToList();
        Location = location;
    }

    public string Pass { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Options { get; }
    public SourceLocation Location { get; }

    /// <summary>Pass and options as one string, e.g. <c>Quantize(Mode=DynamicInt8)</c>; ignores where it was written.</summary>
    public string CanonicalText => Pass + "(" + string.Join(";", Options.Select(o => o.Key + "=" + o.Value)) + ")";

    /// <summary>Canonical text of a whole pass list, order-independent (the pipeline orders passes itself).</summary>
    public static string CanonicalListText(IEnumerable<PassDeclaration> passes) =>
        string.Join(" ", passes.Select(p => p.CanonicalText).OrderBy(t => t, System.StringComparer.Ordinal));
}

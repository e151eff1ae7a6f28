using System.Text.RegularExpressions;

namespace Optimizer.Passes;

/// <summary>
/// What a declared pass left undone, so it never falls short silently: the outcome against the
/// declaration (e.g. <c>pruned 0 of 37 layers</c>) and the reasons, most frequent first, each with
/// how many layers it held back (e.g. <c>Shape reads the channels ×18</c>). Quoted names in
/// reasons are shortened to <c>'…'</c> so the same reason for different layers counts once.
/// </summary>
/// <param name="Outcome">What was reached against what was declared.</param>
/// <param name="Reasons">Why, one entry per distinct reason.</param>
public sealed partial record PassShortfall(string Outcome, IReadOnlyList<string> Reasons)
{
    /// <summary>The most distinct reasons listed; the rest are counted.</summary>
    public const int MaxReasons = 5;

    /// <summary>The outcome with the reasons the <paramref name="skipped"/> layers give, grouped by reason.</summary>
    public static PassShortfall FromSkips(string outcome, IEnumerable<PassSkip> skipped)
    {
        var groups = skipped.GroupBy(s => QuotedName().Replace(s.Reason, "'…'"), StringComparer.Ordinal)
            .Select((g, order) => (Reason: g.Key, Count: g.Count(), Order: order))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Order)
            .ToList();
        var reasons = groups.Take(MaxReasons).Select(g => g.Count > 1 ? $"{g.Reason} ×{g.Count}" : g.Reason).ToList();
        if (groups.Count > MaxReasons)
        {
            reasons.Add($"{groups.Count - MaxReasons} other reasons (see the report)");
        }

        return new PassShortfall(outcome, reasons);
    }

    [GeneratedRegex("'[^']*'")]
    private static partial Regex QuotedName();

    /// <summary>One line: <c>outcome: reason ×n; reason</c>.</summary>
    public override string ToString() => Reasons.Count == 0 ? Outcome : $"{Outcome}: {string.Join("; ", Reasons)}";
}

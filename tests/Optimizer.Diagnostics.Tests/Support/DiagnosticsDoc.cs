using System.Text.RegularExpressions;
using Optimizer.Tests.Shared;

namespace Optimizer.Diagnostics.Tests.Support;

/// <summary>A row of the doc's range table: an owner's codes and the namespace its codes are defined in.</summary>
internal sealed record CodeOwner(string Name, int First, int Last, string Namespace)
{
    public bool Covers(int number) => number >= First && number <= Last;

    public override string ToString() => $"{Name} (OPT{First}–OPT{Last}, {Namespace})";
}

/// <summary>One <c>### OPTxxxx</c> entry: the section it stands in, its severity and title, and its text.</summary>
internal sealed record DocEntry(string Code, string Section, string? Severity, string? Title, string Text)
{
    public bool IsRetired => Severity == "Retired";
}

/// <summary>docs/diagnostics.md, read as the tests need it: the range table, the entries, and the anchor of every heading.</summary>
internal sealed partial record DiagnosticsDoc(string Path, IReadOnlyList<CodeOwner> Owners, IReadOnlyList<DocEntry> Entries, IReadOnlyList<string> Anchors)
{
    public static readonly string[] Severities = ["Error", "Warning", "Error or warning", "Retired"];

    public static DiagnosticsDoc Load() => Parse(System.IO.Path.Combine(RepositoryLayout.RequiredRoot, "docs", "diagnostics.md"));

    /// <summary>The owner whose namespace is the longest prefix of <paramref name="ns"/>.</summary>
    public CodeOwner? OwnerOfNamespace(string ns) => Owners
        .Where(owner => ns == owner.Namespace || ns.StartsWith(owner.Namespace + ".", StringComparison.Ordinal))
        .MaxBy(owner => owner.Namespace.Length);

    /// <summary>The owner of the narrowest range holding <paramref name="number"/> (training's inside the engine's).</summary>
    public CodeOwner? OwnerOfNumber(int number) => Owners.Where(owner => owner.Covers(number)).MinBy(owner => owner.Last - owner.First);

    /// <summary>A heading's anchor: lower case, punctuation dropped, spaces as '-' (<c>### OPT1001</c> is <c>opt1001</c>).</summary>
    public static string AnchorOf(string heading) =>
        NotInAnchor().Replace(heading.Trim().ToLowerInvariant(), "").Replace(' ', '-');

    private static DiagnosticsDoc Parse(string path)
    {
        var lines = File.ReadAllLines(path);
        var owners = lines.Select(line => OwnerRow().Match(line)).Where(m => m.Success)
            .Select(m => new CodeOwner(m.Groups["name"].Value, int.Parse(m.Groups["first"].Value), int.Parse(m.Groups["last"].Value), m.Groups["ns"].Value))
            .ToList();

        var entries = new List<DocEntry>();
        var anchors = new List<string>();
        var section = "";
        for (var i = 0; i < lines.Length; i++)
        {
            if (Heading().Match(lines[i]) is not { Success: true } heading)
                continue;
            anchors.Add(AnchorOf(heading.Groups["text"].Value));
            if (heading.Groups["level"].Length == 2)
                section = heading.Groups["text"].Value.Trim();
            if (heading.Groups["level"].Length != 3 || !CodeDefinitions.CodeShape.IsMatch(heading.Groups["text"].Value.Trim()))
                continue;

            var body = lines.Skip(i + 1).TakeWhile(line => !Heading().IsMatch(line)).ToList();
            // The entry's first line: **Severity** · Title
            var kind = SeverityLine().Match(body.FirstOrDefault(line => line.Trim().Length > 0) ?? "");
            entries.Add(new DocEntry(heading.Groups["text"].Value.Trim(), section,
                kind.Success ? kind.Groups["severity"].Value : null, kind.Success ? kind.Groups["title"].Value.Trim() : null, string.Join("\n", body)));
        }

        return new DiagnosticsDoc(path, owners, entries, anchors);
    }

    // | OPT1001–OPT1049 | MSBuild task | `Optimizer.Build.Tasks` |
    [GeneratedRegex(@"^\| OPT(?<first>[0-9]{4})–OPT(?<last>[0-9]{4}) \| (?<name>[^|]+?) \| `(?<ns>[A-Za-z.]+)` \|$")]
    private static partial Regex OwnerRow();

    [GeneratedRegex(@"^(?<level>#{1,6}) (?<text>.+)$")]
    private static partial Regex Heading();

    // **Error** · Model file not found
    [GeneratedRegex(@"^\*\*(?<severity>[^*]+)\*\* · (?<title>.+)$")]
    private static partial Regex SeverityLine();

    [GeneratedRegex(@"[^\p{L}\p{Nd} _-]")]
    private static partial Regex NotInAnchor();
}

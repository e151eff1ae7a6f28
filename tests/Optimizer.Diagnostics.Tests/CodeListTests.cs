using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Optimizer.Diagnostics.Tests.Support;

namespace Optimizer.Diagnostics.Tests;

/// <summary>
/// One list of diagnostics: every code the assemblies define is defined once, in its owner's range,
/// and has an entry in docs/diagnostics.md that says what it means and what to do; every code the
/// doc lists is defined, unless the doc retires it, and then it is defined nowhere.
/// </summary>
public sealed class CodeListTests
{
    private static readonly DiagnosticsDoc Doc = DiagnosticsDoc.Load();
    private static IReadOnlyList<CodeDefinition> Definitions => CodeDefinitions.All;

    [Fact]
    public void Every_project_under_src_is_searched_for_codes()
    {
        var missing = SourceFiles.CodeProjects
            .Select(project => (Project: project, Assembly: AssemblyNameOf(project) + ".dll"))
            .Where(p => !CodeDefinitions.AssemblyFiles.Any(file => Path.GetFileName(file) == p.Assembly))
            .Select(p => $"{SourceFiles.Relative(p.Project)} ({p.Assembly})")
            .ToList();

        Assert.True(missing.Count == 0,
            "Reference these projects from Optimizer.Diagnostics.Tests.csproj, so their codes are checked: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_owner_in_the_doc_defines_codes()
    {
        Assert.NotEmpty(Doc.Owners);
        foreach (var owner in Doc.Owners)
            Assert.Contains(Definitions, definition => Doc.OwnerOfNamespace(definition.Namespace) == owner);
    }

    [Fact]
    public void Every_code_is_defined_once()
    {
        var twice = Definitions
            .GroupBy(definition => definition.Code)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group)}")
            .ToList();

        Assert.True(twice.Count == 0,
            "A code has one definition; keep the older meaning and give the other a free code in its owner's range:\n" + string.Join("\n", twice));
    }

    [Fact]
    public void Every_code_is_in_its_owners_range()
    {
        foreach (var definition in Definitions)
        {
            var owner = Doc.OwnerOfNamespace(definition.Namespace);
            Assert.True(owner is not null, $"{definition} is defined in {definition.Namespace}, which no row of {Doc.Path}'s range table owns.");
            Assert.True(Doc.OwnerOfNumber(definition.Number) == owner,
                $"{definition} belongs to {owner}, but {definition.Code} is in {Doc.OwnerOfNumber(definition.Number)?.ToString() ?? "no owner's range"}.");
        }
    }

    [Fact]
    public void Every_defined_code_has_an_entry_under_its_owner()
    {
        foreach (var definition in Definitions)
        {
            var entry = Doc.Entries.FirstOrDefault(e => e.Code == definition.Code);
            Assert.True(entry is not null, $"{definition} has no '### {definition.Code}' entry in {Doc.Path}.");
            Assert.False(entry.IsRetired, $"{definition} is defined, but {Doc.Path} says it is retired.");
            Assert.Equal(Doc.OwnerOfNamespace(definition.Namespace)!.Name, entry.Section);
        }
    }

    [Fact]
    public void Every_entry_is_a_defined_code_or_a_retired_one()
    {
        var defined = Definitions.Select(definition => definition.Code).ToHashSet();
        foreach (var group in Doc.Entries.GroupBy(entry => entry.Code))
        {
            var entry = Assert.Single(group);
            Assert.True(entry.IsRetired != defined.Contains(entry.Code),
                entry.IsRetired ? $"{entry.Code} is retired in the doc but still defined." : $"{entry.Code} has an entry but is defined nowhere; retire it in the doc or remove the entry.");
            Assert.Equal(Doc.OwnerOfNumber(int.Parse(entry.Code.AsSpan(3)))?.Name, entry.Section);
        }
    }

    [Fact]
    public void Every_entry_says_what_it_is_and_what_to_do()
    {
        foreach (var entry in Doc.Entries)
        {
            Assert.True(entry.Severity is not null && DiagnosticsDoc.Severities.Contains(entry.Severity),
                $"{entry.Code}: the entry starts with '**<{string.Join("|", DiagnosticsDoc.Severities)}>** · <title>'.");
            Assert.False(string.IsNullOrWhiteSpace(entry.Title), entry.Code);
            if (!entry.IsRetired)
                Assert.Matches(@"\*\*What to do:\*\* \S", entry.Text);
        }
    }

    [Fact]
    public void The_generators_entries_match_its_descriptors()
    {
        var descriptors = Definitions.Where(definition => definition.Descriptor is not null).ToList();
        Assert.NotEmpty(descriptors);
        foreach (var definition in descriptors)
        {
            var descriptor = definition.Descriptor!;
            var entry = Doc.Entries.Single(e => e.Code == descriptor.Id);
            var severity = descriptor.DefaultSeverity == DiagnosticSeverity.Warning ? "Warning" : "Error";
            Assert.True(entry.Severity == severity, $"{descriptor.Id} is an {severity} in the generator, '{entry.Severity}' in the doc.");
            Assert.True(entry.Title == descriptor.Title.ToString(), $"{descriptor.Id}'s title is '{descriptor.Title}' in the generator, '{entry.Title}' in the doc.");
        }
    }

    [Fact]
    public void Every_code_is_spelled_once_in_the_sources_where_it_is_defined()
    {
        // A code written as a string anywhere but its definition (a literal at a call site) is a second
        // definition that the reflection above cannot see.
        var defined = Definitions.Select(definition => definition.Code).ToHashSet();
        var spelled = SourceFiles.All
            .SelectMany(source => Regex.Matches(source.Text, "\"(OPT[0-9]{4})\"").Select(m => (source.Path, Code: m.Groups[1].Value)))
            .GroupBy(found => found.Code)
            .ToList();

        var strays = spelled
            .Where(group => !defined.Contains(group.Key) || group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(found => SourceFiles.Relative(found.Path)))}")
            .ToList();
        Assert.True(strays.Count == 0, "Write each code once, as its definition, and refer to that:\n" + string.Join("\n", strays));
        Assert.Equal(defined.Order(), spelled.Select(group => group.Key).Order());
    }

    [Fact]
    public void Every_defined_code_is_reported_somewhere()
    {
        foreach (var definition in Definitions)
        {
            // Type.Member anywhere; a constant may also be used by its bare name in the file that declares it.
            var typeName = definition.Type.Split('.', '+').Last();
            var qualified = new Regex($@"\b{Regex.Escape(typeName)}\.{Regex.Escape(definition.Member)}\b");
            var bare = new Regex($@"\b{Regex.Escape(definition.Member)}\b");
            var used = SourceFiles.All.Any(source => qualified.IsMatch(source.Text))
                || (definition.Descriptor is null && SourceFiles.All
                    .Where(source => source.Text.Contains($"\"{definition.Code}\"", StringComparison.Ordinal))
                    .Any(source => bare.Matches(source.Text).Count > 1));
            Assert.True(used, $"{definition} is used nowhere under src/; retire it (docs/diagnostics.md) instead of keeping a code nothing reports.");
        }
    }

    private static string AssemblyNameOf(string project) =>
        XDocument.Load(project).Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault(name => name.Length > 0)
        ?? Path.GetFileNameWithoutExtension(project);
}

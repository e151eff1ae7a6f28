using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Optimizer.Build.Generator;

namespace Optimizer.Hostile.Tests;

/// <summary>
/// Runs the real source generator over a manifest the CLI wrote for a hostile model, compiles its output against
/// Optimizer.Runtime and compares the compiled shape with the same manifest whose model strings were replaced by
/// plain ones: a name that escaped its comment or literal shows up as an error, a directive, a module initializer,
/// or a member or type the plain manifest does not give.
/// </summary>
internal static class GeneratedCodeCheck
{
    private const string ClassName = "HostileModel";

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(Optimizer.Runtime.OnnxModelBase).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray());

    /// <summary>The problems found; empty when the generated code is safe.</summary>
    public static IReadOnlyList<string> Problems(string manifestPath)
    {
        var manifest = File.ReadAllText(manifestPath);
        var hostile = Generate(manifestPath, manifest);
        var plain = Generate(manifestPath, Plain(manifest));
        var problems = new List<string>();
        problems.AddRange(hostile.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => "generator: " + d));
        // The first few compile errors say where the name escaped; the rest repeat it.
        problems.AddRange(hostile.Errors.Take(3).Select(d => "compile: " + d.GetMessage() + " at " + d.Location.GetLineSpan().StartLinePosition));
        if (hostile.Errors.Count > 3)
            problems.Add($"compile: {hostile.Errors.Count - 3} more errors");
        if (hostile.GeneratedSources.Count == 0)
            problems.Add("the generator emitted nothing for the manifest");
        foreach (var tree in hostile.GeneratedTrees)
        {
            foreach (var directive in tree.GetRoot().DescendantTrivia().Where(t => t.IsDirective))
            {
                if (!directive.IsKind(SyntaxKind.NullableDirectiveTrivia) && !directive.IsKind(SyntaxKind.PragmaWarningDirectiveTrivia))
                    problems.Add($"a preprocessor directive in generated code: {directive.ToString().Trim()}");
            }
        }

        foreach (var method in AllTypes(hostile.Compilation).SelectMany(t => t.GetMembers().OfType<IMethodSymbol>()))
        {
            if (method.GetAttributes().Any(a => a.AttributeClass?.Name == "ModuleInitializerAttribute"))
                problems.Add($"a module initializer: {method.ToDisplayString()}");
        }

        var expected = Shape(plain.Compilation);
        var actual = Shape(hostile.Compilation);
        foreach (var extra in actual.Except(expected))
            problems.Add($"not in the plain manifest's class: {extra}");
        foreach (var missing in expected.Except(actual))
            problems.Add($"missing compared with the plain manifest's class: {missing}");
        return problems;
    }

    /// <summary>The manifest with every model-supplied string (names, dims, node names in the schedule, summaries) replaced by a plain one.</summary>
    internal static string Plain(string manifest)
    {
        var root = JsonNode.Parse(manifest)!.AsObject();
        var dims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var list in new[] { "inputs", "outputs" })
        {
            var values = root[list]?.AsArray() ?? [];
            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i]!.AsObject();
                value["name"] = $"{list}{i}";
                if (value["shape"] is JsonArray shape)
                {
                    for (var d = 0; d < shape.Count; d++)
                    {
                        if (shape[d] is JsonValue v && v.TryGetValue<string>(out var dim))
                            shape[d] = dims.TryGetValue(dim, out var plain) ? plain : dims[dim] = "dim" + dims.Count;
                    }
                }
            }
        }

        foreach (var pass in root["passes"]?.AsArray() ?? [])
            pass!["summary"] = "summary";
        PlainSchedules(root["execution"]);
        return root.ToJsonString();
    }

    private static void PlainSchedules(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    if (key == "schedule" && value is JsonArray steps)
                    {
                        for (var i = 0; i < steps.Count; i++)
                        {
                            var text = steps[i]!.GetValue<string>();
                            var hash = text.IndexOf(" # ", StringComparison.Ordinal);
                            steps[i] = hash < 0 ? text : text[..hash] + " # node" + i;
                        }
                    }
                    else if (key == "notCompiled" && value is JsonArray reasons)
                    {
                        for (var i = 0; i < reasons.Count; i++)
                            reasons[i] = $"node{i} (Op): reason";
                    }
                    else
                    {
                        PlainSchedules(value);
                    }
                }
                break;
            case JsonArray a:
                foreach (var item in a)
                    PlainSchedules(item);
                break;
        }
    }

    /// <summary>Every type, member kind and attribute count the compilation defines, as comparable strings (member names left out: they come from model names).</summary>
    private static HashSet<string> Shape(Compilation compilation) =>
        AllTypes(compilation).SelectMany(t =>
                t.GetMembers().Where(m => !m.IsImplicitlyDeclared).GroupBy(m => $"{m.Kind} static={m.IsStatic} {m.DeclaredAccessibility} attributes={m.GetAttributes().Length}")
                    .Select(g => $"{t.ToDisplayString()}: {g.Count()} × {g.Key}")
                    .Append($"type {t.ToDisplayString()} ({t.TypeKind}, {t.GetAttributes().Length} attributes)"))
            .ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<INamedTypeSymbol> AllTypes(Compilation compilation)
    {
        var stack = new Stack<INamespaceOrTypeSymbol>([compilation.Assembly.GlobalNamespace]);
        while (stack.Count > 0)
        {
            var symbol = stack.Pop();
            foreach (var member in symbol.GetMembers())
            {
                if (member is INamespaceSymbol ns)
                {
                    stack.Push(ns);
                }
                else if (member is INamedTypeSymbol type && !type.IsImplicitlyDeclared)
                {
                    stack.Push(type);
                    yield return type;
                }
            }
        }
    }

    private static Generated Generate(string manifestPath, string manifestText)
    {
        var modelPath = JsonNode.Parse(manifestText)!["modelPath"]!.GetValue<string>();
        var source = $$"""
            namespace Hostile;

            [global::Optimizer.Runtime.OnnxModel({{SymbolDisplay.FormatLiteral(modelPath, quote: true)}})]
            public partial class {{ClassName}};
            """;
        var compilation = CSharpCompilation.Create("HostileGenerated",
            [CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Hostile.cs")],
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create([new OnnxModelGenerator().AsSourceGenerator()],
            [new ManifestText(manifestPath, manifestText)], ParseOptions);
        driver = (CSharpGeneratorDriver)driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult();
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        return new Generated(result.Diagnostics, result.Results.SelectMany(r => r.GeneratedSources).ToList(), result.GeneratedTrees, output, errors);
    }

    private sealed record Generated(
        ImmutableArray<Diagnostic> GeneratorDiagnostics,
        IReadOnlyList<GeneratedSourceResult> GeneratedSources,
        ImmutableArray<SyntaxTree> GeneratedTrees,
        Compilation Compilation,
        IReadOnlyList<Diagnostic> Errors);

    /// <summary>The manifest as MSBuild passes it: an AdditionalFile.</summary>
    private sealed class ManifestText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}

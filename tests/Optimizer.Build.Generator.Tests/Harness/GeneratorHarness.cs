using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Optimizer.Build.Generator.Tests.Harness;

/// <summary>Runs the generator over in-memory sources and manifests and compiles the result against the real runtime.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>Parse options that also check documentation comments (CS1570 and the like), as a project with GenerateDocumentationFile does.</summary>
    public static readonly CSharpParseOptions DocumentingParseOptions = ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(Optimizer.Runtime.OnnxModelBase).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray());

    public static CSharpCompilation Compilation(params string[] sources) => Compilation(ParseOptions, sources);

    public static CSharpCompilation Compilation(CSharpParseOptions parseOptions, params string[] sources) =>
        CSharpCompilation.Create(
            "GeneratorTestAssembly",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, parseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(params (string Path, string Text)[] manifests) => CreateDriver(ParseOptions, manifests);

    public static GeneratorDriver CreateDriver(CSharpParseOptions parseOptions, params (string Path, string Text)[] manifests) =>
        CSharpGeneratorDriver.Create(
            [new OnnxModelGenerator().AsSourceGenerator()],
            manifests.Select(m => (AdditionalText)new InMemoryAdditionalText(m.Path, m.Text)),
            parseOptions,
            optionsProvider: null,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once; the result holds the generated sources, the generator's diagnostics and the compiled output.</summary>
    public static GeneratorRun Run(string source, params (string Path, string Text)[] manifests) => Run([source], manifests);

    /// <inheritdoc cref="Run(string, ValueTuple{string, string}[])"/>
    public static GeneratorRun Run(string[] sources, params (string Path, string Text)[] manifests) => Run(ParseOptions, sources, manifests);

    /// <inheritdoc cref="Run(string, ValueTuple{string, string}[])"/>
    public static GeneratorRun Run(CSharpParseOptions parseOptions, string[] sources, params (string Path, string Text)[] manifests)
    {
        CSharpCompilation compilation = Compilation(parseOptions, sources);
        GeneratorDriver driver = CreateDriver(parseOptions, manifests).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        return new GeneratorRun(driver.GetRunResult(), output);
    }

    /// <summary>The generated text with the generator's version replaced, so snapshots survive version bumps.</summary>
    public static string Normalize(string generated) =>
        Regex.Replace(generated, "GeneratedCode\\(\"Optimizer.Build.Generator\", \"[^\"]*\"\\)", "GeneratedCode(\"Optimizer.Build.Generator\", \"<version>\")");
}

internal sealed record GeneratorRun(GeneratorDriverRunResult Result, Compilation Output)
{
    public ImmutableArray<Diagnostic> GeneratorDiagnostics => Result.Diagnostics;

    public string SingleSource => GeneratorHarness.Normalize(Assert.Single(Result.GeneratedTrees).GetText().ToString());

    public ImmutableArray<Diagnostic> CompilationErrors =>
        Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && d.WarningLevel <= 4)).ToImmutableArray();

    public void AssertCompilesCleanly()
    {
        Assert.Empty(GeneratorDiagnostics);
        Assert.True(CompilationErrors.IsEmpty, "generated code does not compile cleanly:\n" + string.Join("\n", CompilationErrors));
    }
}

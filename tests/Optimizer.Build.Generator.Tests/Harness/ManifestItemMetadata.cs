using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Optimizer.Build.Generator.Tests.Harness;

/// <summary>
/// A manifest item's metadata (OptimizerClassNames, OptimizerModelFile) as the compiler sees it: written
/// into a global .editorconfig as MSBuild's GenerateMSBuildEditorConfig does, and read back by Roslyn's
/// own parser (which ends a value at ';' or '#').
/// </summary>
internal sealed class ManifestItemMetadata(string manifestPath, params (string Name, string Value)[] metadata) : AnalyzerConfigOptionsProvider
{
    private readonly AnalyzerConfigSet _config = AnalyzerConfigSet.Create(ImmutableArray.Create(AnalyzerConfig.Parse(
        $"is_global = true\n\n[{manifestPath}]\n{string.Concat(metadata.Select(m => $"build_metadata.AdditionalFiles.{m.Name} = {m.Value}\n"))}",
        "/app/obj/App.GeneratedMSBuildEditorConfig.editorconfig")));

    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(ImmutableDictionary<string, string>.Empty);

    /// <summary>Runs the generator on <paramref name="source"/> with one manifest item carrying <paramref name="metadata"/>.</summary>
    public static GeneratorRun Run(string source, string manifestPath, string manifest, params (string Name, string Value)[] metadata)
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation(source);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new OnnxModelGenerator().AsSourceGenerator()],
            [new InMemoryAdditionalText(manifestPath, manifest)],
            GeneratorHarness.ParseOptions,
            new ManifestItemMetadata(manifestPath, metadata),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        return new GeneratorRun(driver.GetRunResult(), output);
    }

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        new Options(_config.GetOptionsForSourcePath(textFile.Path).AnalyzerOptions);

    private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}

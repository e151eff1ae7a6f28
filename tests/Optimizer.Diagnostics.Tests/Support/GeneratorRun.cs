using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Optimizer.Build.Generator;

namespace Optimizer.Diagnostics.Tests.Support;

/// <summary>Runs the real source generator over one source, with the build properties a project would give it.</summary>
internal static class GeneratorRun
{
    public static ImmutableArray<Diagnostic> Diagnostics(string source, IReadOnlyDictionary<string, string> buildProperties)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "netstandard.dll")
            .Append(typeof(Optimizer.Runtime.OnnxModelBase).Assembly.Location)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("App", [CSharpSyntaxTree.ParseText(source, path: "Models.cs")], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var options = new BuildProperties(buildProperties.ToDictionary(p => "build_property." + p.Key, p => p.Value));
        var driver = CSharpGeneratorDriver.Create([new OnnxModelGenerator().AsSourceGenerator()], optionsProvider: options);
        return driver.RunGenerators(compilation).GetRunResult().Diagnostics;
    }

    /// <summary>Analyzer config as the SDK writes it from CompilerVisibleProperty items: global options only.</summary>
    private sealed class BuildProperties(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(values);
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(new Dictionary<string, string>());
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(new Dictionary<string, string>());
    }

    private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}

using Microsoft.Build.Framework;
using Optimizer.Build.Tasks.Diagnostics;
using Optimizer.Build.Tasks.Planning;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>The plans of a project and the coded errors found while making them.</summary>
internal sealed record DiscoveryResult(IReadOnlyList<OptimizationPlan> Plans, IReadOnlyList<BuildDiagnostic> Diagnostics);

/// <summary>C# sources + &lt;OnnxModel&gt; items → one plan per model.</summary>
internal static class ModelDiscovery
{
    /// <param name="sources">Each source file's full path and text.</param>
    public static DiscoveryResult Discover(
        IEnumerable<(string Path, string Text)> sources,
        IEnumerable<ITaskItem> items,
        string projectDirectory,
        string projectFile,
        string outputDirectory,
        IEnumerable<string> preprocessorSymbols)
    {
        var diagnostics = new List<BuildDiagnostic>();
        var scanner = new SourceScanner(preprocessorSymbols);
        var collector = new DeclarationCollector();
        foreach (var (path, text) in sources)
            scanner.Scan(path, text, collector, diagnostics);

        var locator = new ProjectItemLocator();
        var itemDeclarations = new List<ModelDeclaration>();
        foreach (var item in items)
        {
            var declaration = ItemDeclarationReader.Read(item, projectDirectory, projectFile, locator, diagnostics);
            if (declaration is not null)
                itemDeclarations.Add(declaration);
        }

        var plans = new PlanBuilder(projectDirectory, outputDirectory, diagnostics)
            .Build(collector.Declarations, collector.InvalidClasses, itemDeclarations);
        return new DiscoveryResult(plans, diagnostics);
    }
}

using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Output;

namespace Optimizer.Engine.Plans;

/// <summary>One requested pass as the plan carries it: the attribute's name and its options as strings.</summary>
public sealed record PlannedPass(string Pass, IReadOnlyDictionary<string, string> Options, DiagnosticLocation? DeclaredAt);

/// <summary>The task → engine contract (src/README.md, "Plan").</summary>
public sealed record OptimizationPlan(
    int FormatVersion,
    string Name,
    string ClassName,
    string Model,
    string ModelPath,
    DiagnosticLocation? DeclaredAt,
    string OutputDirectory,
    string? ProjectDirectory,
    string ResourceName,
    IReadOnlyList<PlannedPass> Passes)
{
    public const int CurrentFormatVersion = 1;

    public string OptimizedModelFileName => OutputNames.OptimizedModel.FileName(Name);
    public string ManifestFileName => OutputNames.Manifest.FileName(Name);
}

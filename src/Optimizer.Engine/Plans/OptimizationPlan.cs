using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Output;
using Optimizer.Onnx;

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

    /// <summary>The limits the user lifted for this model (<see cref="PlanLoadLimits"/>); null keeps the hostile-input defaults.</summary>
    public ModelLoadLimits? LoadLimits { get; init; }

    /// <summary>The limits the model is loaded with.</summary>
    public ModelLoadLimits Limits => LoadLimits ?? ModelLoadLimits.Default;
}

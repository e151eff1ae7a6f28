using Optimizer.Build.Tasks.Diagnostics;
using Optimizer.Build.Tasks.Discovery;

namespace Optimizer.Build.Tasks.Planning;

/// <summary>What the engine is asked to do for one model (serialized as the plan JSON in src/README.md).</summary>
internal sealed class OptimizationPlan
{
    public const int FormatVersion = 1;

    public OptimizationPlan(
        string name, string className, string modelFullPath, string modelPath, SourceLocation declaredAt,
        string outputDirectory, string projectDirectory, IReadOnlyList<PassDeclaration> passes)
    {
        Name = name;
        ClassName = className;
        ModelFullPath = modelFullPath;
        ModelPath = modelPath;
        DeclaredAt = declaredAt;
        OutputDirectory = outputDirectory;
        ProjectDirectory = projectDirectory;
        Passes = passes;
    }

    /// <summary>Output base name: the class's full name, the item's ClassName, or the model's file name.</summary>
    public string Name { get; }

    /// <summary>The declaring class's full name, or "" for a bare item.</summary>
    public string ClassName { get; }

    public string ModelFullPath { get; }

    /// <summary>The path as declared, '/'-separated, relative to the project.</summary>
    public string ModelPath { get; }

    public SourceLocation DeclaredAt { get; }
    public string OutputDirectory { get; }

    /// <summary>Folder that relative data-file options (Calibration, ...) are resolved against.</summary>
    public string ProjectDirectory { get; }

    public IReadOnlyList<PassDeclaration> Passes { get; }

    /// <summary>The load limits the project lifts (<see cref="LoadLimitsSetting"/>), or null.</summary>
    public LoadLimitsSetting? LoadLimits { get; set; }

    /// <summary>The manifest resource name the optimized model is embedded under.</summary>
    public string ResourceName => Optimizer.Engine.Output.OutputNames.ModelResourceName(Name);

    public string PlanPath => Path.Combine(OutputDirectory, Name + ".plan.json");
    public string StampPath => Path.Combine(OutputDirectory, Name + ".stamp");
}

using Microsoft.Build.Framework;
using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks;

/// <summary>
/// OPT1012 when the project's target framework cannot use Optimizer.Runtime. NuGet restores such a
/// project without the runtime (it is built for net10.0 only), and compilation would then fail with
/// a bare CS0246 on [OnnxModel]. The targets decide compatibility with MSBuild's own
/// IsTargetFrameworkCompatible; this task only reports, with the help link every code gets.
/// </summary>
public sealed class CheckTargetFramework : Microsoft.Build.Utilities.Task
{
    /// <summary>$(TargetFramework).</summary>
    [Required]
    public string TargetFramework { get; set; } = "";

    /// <summary>The oldest framework Optimizer.Runtime supports (the targets' OptimizerMinimumTargetFramework).</summary>
    [Required]
    public string MinimumTargetFramework { get; set; } = "";

    /// <summary>Whether <see cref="TargetFramework"/> can use an assembly built for <see cref="MinimumTargetFramework"/>.</summary>
    public bool Supported { get; set; }

    /// <summary>$(MSBuildProjectFullPath): where the error points.</summary>
    [Required]
    public string ProjectFile { get; set; } = "";

    /// <summary>$(OptimizerDiagnosticsHelp), as for <see cref="OptimizeOnnxModels.DiagnosticsHelp"/>.</summary>
    public string? DiagnosticsHelp { get; set; }

    public override bool Execute()
    {
        if (Supported)
            return true;

        new DiagnosticLog(Log, DiagnosticsHelp).Error(DiagnosticCodes.UnsupportedTargetFramework, SourceLocation.FileOnly(ProjectFile),
            $"Optimizer.Build needs {MinimumTargetFramework} or later, but this project builds for {TargetFramework}, which cannot use Optimizer.Runtime. " +
            $"Set <TargetFramework>{MinimumTargetFramework}</TargetFramework>, or reference Optimizer.Build only for a {MinimumTargetFramework} target of a multi-targeting project.");
        return false;
    }
}

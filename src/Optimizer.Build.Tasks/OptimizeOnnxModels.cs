using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Optimizer.Build.Tasks.Caching;
using Optimizer.Build.Tasks.Diagnostics;
using Optimizer.Build.Tasks.Discovery;
using Optimizer.Build.Tasks.Engine;
using Optimizer.Build.Tasks.Planning;

namespace Optimizer.Build.Tasks;

/// <summary>
/// Finds the ONNX models a project declares ([OnnxModel] classes and &lt;OnnxModel&gt; items),
/// writes one plan per model, and runs the engine (<c>dotnet exec Optimizer.Engine.dll optimize
/// --plan ...</c>) for each model whose content hash changed. A ToolTask, like Grpc.Tools' protoc
/// task: the engine's canonical <c>file(line,col): error OPT1234: ...</c> lines become real
/// MSBuild errors, and cancellation, timeouts and yielding the node come for free. One process
/// per changed model so that each exit code belongs to exactly one plan and its stamp.
/// </summary>
public sealed class OptimizeOnnxModels : ToolTask
{
    private OptimizationPlan? _currentPlan;
    private bool _engineReportedError;

    /// <summary>The project's C# sources (@(Compile)); scanned for attributes.</summary>
    public ITaskItem[] Sources { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>@(OnnxModel) items.</summary>
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>$(MSBuildProjectFullPath): where item diagnostics point.</summary>
    [Required]
    public string ProjectFile { get; set; } = "";

    /// <summary>Where plans, optimized models and manifests go (relative to the project or absolute).</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>Path to Optimizer.Engine.dll.</summary>
    [Required]
    public string EngineAssembly { get; set; } = "";

    /// <summary>$(DOTNET_HOST_PATH); dotnet from PATH when empty.</summary>
    public string? DotnetHostPath { get; set; }

    /// <summary>$(DefineConstants), so #if blocks are read as the compiler reads them.</summary>
    public string? DefineConstants { get; set; }

    /// <summary>False in design-time builds: existing outputs are surfaced, the engine never runs.</summary>
    public bool RunEngine { get; set; } = true;

    /// <summary>$(OptimizerRequireSpeedup): RequireSpeedup=true for every Quantize pass that does not set it.</summary>
    public bool RequireSpeedup { get; set; }

    /// <summary>
    /// $(OptimizerTrainingAssembly), set by the Optimizer.Training package: a new training package
    /// invalidates the cache of models that declare a training pass (and only theirs).
    /// </summary>
    public string? TrainingAssembly { get; set; }

    /// <summary>Optimized models, with LogicalName (the resource name) for EmbeddedResource.</summary>
    [Output]
    public ITaskItem[] OptimizedModels { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>Signature manifests, for AdditionalFiles.</summary>
    [Output]
    public ITaskItem[] Manifests { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>Every file this task owns, for incremental clean.</summary>
    [Output]
    public ITaskItem[] FileWrites { get; private set; } = Array.Empty<ITaskItem>();

    protected override string ToolName => DotnetHost.ExecutableName;

    public override bool Execute()
    {
        var outputDirectory = Path.GetFullPath(Path.Combine(ProjectDirectory, OutputDirectory));
        var discovery = ModelDiscovery.Discover(
            ReadSources(), Models, ProjectDirectory, ProjectFile, outputDirectory,
            (DefineConstants ?? "").Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()));
        foreach (var diagnostic in discovery.Diagnostics)
            LogError(diagnostic);
        if (discovery.Plans.Count == 0)
            return !Log.HasLoggedErrors;

        if (!File.Exists(EngineAssembly))
        {
            Log.LogError(null, DiagnosticCodes.EngineNotFound, null, ProjectFile, 0, 0, 0, 0,
                $"The optimizer engine was not found at '{EngineAssembly}'. Restore the Optimizer.Build package again, or set OptimizerEngineAssembly to Optimizer.Engine.dll.");
            return false;
        }

        var engineIdentity = EngineIdentity.Of(EngineAssembly);
        var trainingIdentity = string.IsNullOrEmpty(TrainingAssembly) || !File.Exists(TrainingAssembly)
            ? engineIdentity
            : engineIdentity + " training " + EngineIdentity.Of(TrainingAssembly!);
        var models = new List<ITaskItem>();
        var manifests = new List<ITaskItem>();
        var writes = new List<ITaskItem>();
        foreach (var plan in RequireSpeedupDefault.Apply(discovery.Plans, RequireSpeedup))
        {
            PlanFile.Write(plan);
            writes.Add(new TaskItem(plan.PlanPath));
            writes.Add(new TaskItem(plan.StampPath));
            if (Bring(plan, CacheKey.Compute(plan, Trains(plan) ? trainingIdentity : engineIdentity)))
            {
                models.Add(OptimizedModelItem(plan));
                manifests.Add(ManifestItem(plan));
                writes.Add(new TaskItem(plan.OptimizedModelPath));
                writes.Add(new TaskItem(plan.ManifestPath));
                writes.AddRange(plan.ReportPaths.Where(File.Exists).Select(path => new TaskItem(path)));
            }
        }

        OptimizedModels = models.ToArray();
        Manifests = manifests.ToArray();
        FileWrites = writes.ToArray();
        return !Log.HasLoggedErrors;
    }

    private static bool Trains(OptimizationPlan plan) =>
        plan.Passes.Any(p => p.Pass == AttributeCatalog.FineTune.Name || p.Pass == AttributeCatalog.Distill.Name);

    /// <summary>Brings one plan's outputs up to date; true when they exist afterwards.</summary>
    private bool Bring(OptimizationPlan plan, string key)
    {
        if (StampFile.IsUpToDate(plan, key))
        {
            Log.LogMessage(MessageImportance.Low, $"{plan.ModelPath}: {plan.Name} is up to date; the optimizer engine is not run.");
            return true;
        }

        if (!RunEngine)
        {
            // Design-time builds never optimize: show what the last real build produced, if anything.
            Log.LogMessage(MessageImportance.Low, $"{plan.ModelPath}: not optimized in a design-time build.");
            return File.Exists(plan.OptimizedModelPath) && File.Exists(plan.ManifestPath);
        }

        StampFile.Delete(plan);
        _currentPlan = plan;
        _engineReportedError = false;
        var succeeded = base.Execute() && ExitCode == 0;
        _currentPlan = null;
        if (!succeeded)
            return false;

        if (!File.Exists(plan.OptimizedModelPath) || !File.Exists(plan.ManifestPath))
        {
            Log.LogError(null, DiagnosticCodes.EngineOutputsMissing, null, plan.DeclaredAt.File, plan.DeclaredAt.Line, plan.DeclaredAt.Column, 0, 0,
                $"The optimizer engine finished '{plan.ModelPath}' but did not write {plan.OptimizedModelPath} and {plan.ManifestPath}. Rebuild; if it persists, report it with the build log.");
            return false;
        }

        StampFile.Write(plan, key);
        return true;
    }

    protected override string GenerateFullPathToTool() => DotnetHost.Find(DotnetHostPath) ?? ToolName;

    protected override string GenerateCommandLineCommands() => EngineCommandLine.For(EngineAssembly, _currentPlan!.PlanPath);

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        if (singleLine.IndexOf(": error OPT", StringComparison.Ordinal) >= 0)
            _engineReportedError = true;
        // Parses canonical "file(line,col): error CODE: message" lines into real errors.
        base.LogEventsFromTextOutput(singleLine, messageImportance);
    }

    protected override bool HandleTaskExecutionErrors()
    {
        if (_engineReportedError)
            return false;
        var plan = _currentPlan!;
        Log.LogError(null, DiagnosticCodes.EngineFailed, null, plan.DeclaredAt.File, plan.DeclaredAt.Line, plan.DeclaredAt.Column, 0, 0,
            $"The optimizer engine exited with code {ExitCode} while optimizing '{plan.ModelPath}' without saying why. Build with -v:n to see its output; the plan is {plan.PlanPath}.");
        return false;
    }

    private IEnumerable<(string Path, string Text)> ReadSources()
    {
        foreach (var source in Sources)
        {
            var path = source.GetMetadata("FullPath");
            if (string.IsNullOrEmpty(path))
                path = Path.GetFullPath(Path.Combine(ProjectDirectory, source.ItemSpec));
            if (!path.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) || !File.Exists(path))
                continue;

            string text;
            try
            {
                text = File.ReadAllText(path, Encoding.UTF8);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogError(new BuildDiagnostic(DiagnosticCodes.ReadFailed, $"Could not read {path} to look for [OnnxModel]: {e.Message}", SourceLocation.FileOnly(path)));
                continue;
            }

            yield return (path, text);
        }
    }

    private void LogError(BuildDiagnostic diagnostic) =>
        Log.LogError(null, diagnostic.Code, null, diagnostic.Location.File, diagnostic.Location.Line, diagnostic.Location.Column, 0, 0, diagnostic.Message);

    private static ITaskItem OptimizedModelItem(OptimizationPlan plan)
    {
        var item = new TaskItem(plan.OptimizedModelPath);
        item.SetMetadata("LogicalName", plan.ResourceName);
        item.SetMetadata("OptimizerModelName", plan.Name);
        item.SetMetadata("OptimizerModelPath", plan.ModelPath);
        return item;
    }

    private static ITaskItem ManifestItem(OptimizationPlan plan)
    {
        var item = new TaskItem(plan.ManifestPath);
        item.SetMetadata("OptimizerManifest", "true");
        item.SetMetadata("OptimizerModelName", plan.Name);
        item.SetMetadata("OptimizerModelPath", plan.ModelPath);
        return item;
    }
}

using System.Text;
using System.Threading;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Optimizer.Build.Tasks.Caching;
using Optimizer.Build.Tasks.Diagnostics;
using Optimizer.Build.Tasks.Discovery;
using Optimizer.Build.Tasks.Engine;
using Optimizer.Build.Tasks.Planning;
using Optimizer.Build.Tasks.Storage;
using Optimizer.Engine.Output;
using Optimizer.Onnx.Files;

namespace Optimizer.Build.Tasks;

/// <summary>
/// Finds the ONNX models a project declares ([OnnxModel] classes and &lt;OnnxModel&gt; items),
/// writes one plan per model, and runs the engine (<c>dotnet exec Optimizer.Engine.dll optimize
/// --plan ...</c>) for each model whose content hash changed: one process per model, judged on
/// its own (<see cref="EngineRunner"/>), within a wall-clock limit (<see cref="EngineTimeLimit"/>),
/// so one bad model never fails or hides the others and none can hang the build.
/// </summary>
public sealed class OptimizeOnnxModels : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private readonly ManualResetEvent _cancelled = new(false);
    private DiagnosticLog? _diagnostics;

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

    /// <summary>
    /// $(OptimizerEngineTimeout): seconds one engine run may take before it is killed (OPT1023);
    /// empty means <see cref="EngineTimeLimit.DefaultSeconds"/>. An item's EngineTimeout overrides it.
    /// </summary>
    public string? EngineTimeout { get; set; }

    /// <summary>
    /// $(OptimizerDiagnosticsHelp): docs/diagnostics.md in the package; every coded error and warning
    /// links to its entry there. Empty: no links.
    /// </summary>
    public string? DiagnosticsHelp { get; set; }

    /// <summary>$(OptimizerWeightsStorage): Auto (default), Embedded or Files; an item's WeightsStorage overrides it.</summary>
    public string? WeightsStorage { get; set; }

    /// <summary>$(OptimizerEmbedLimitBytes): past this many bytes (model, external data, kernel programs) Auto stores files.</summary>
    public string? EmbedLimitBytes { get; set; }

    /// <summary>$(OptimizerModelsFolder): where stored files go, relative to the app's base directory.</summary>
    public string? ModelsFolder { get; set; }

    /// <summary>Variables added to the engine's environment, each <c>NAME=value</c>.</summary>
    public string[] EnvironmentVariables { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Every file the engine produced for the project's models (<see cref="EngineOutputs"/>): optimized
    /// models, kernel programs, manifests and reports, each with Kind, LogicalName where the build
    /// embeds it, OptimizerModelName and OptimizerModelPath. The targets expose them as @(OptimizerOutput).
    /// </summary>
    [Output]
    public ITaskItem[] Outputs { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>The optimized models among <see cref="Outputs"/>.</summary>
    [Output]
    public ITaskItem[] OptimizedModels => EngineOutputs.OfKind(Outputs, OutputKind.OptimizedModel);

    /// <summary>The signature manifests among <see cref="Outputs"/>.</summary>
    [Output]
    public ITaskItem[] Manifests => EngineOutputs.OfKind(Outputs, OutputKind.Manifest);

    /// <summary>Every file this task owns, for incremental clean.</summary>
    [Output]
    public ITaskItem[] FileWrites { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>Stops the running engine (and everything it started); called by MSBuild on Ctrl+C.</summary>
    public void Cancel() => _cancelled.Set();

    public override bool Execute()
    {
        var outputDirectory = Path.GetFullPath(Path.Combine(ProjectDirectory, OutputDirectory));
        var discovery = ModelDiscovery.Discover(
            ReadSources(), Models, ProjectDirectory, ProjectFile, outputDirectory,
            (DefineConstants ?? "").Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()));
        foreach (var diagnostic in discovery.Diagnostics)
            Diagnostics.Error(diagnostic);
        if (discovery.Plans.Count == 0)
            return !Log.HasLoggedErrors;

        if (!File.Exists(EngineAssembly))
        {
            Diagnostics.Error(DiagnosticCodes.EngineNotFound, SourceLocation.FileOnly(ProjectFile),
                $"The optimizer engine was not found at '{EngineAssembly}'. Restore the Optimizer.Build package again, or set OptimizerEngineAssembly to Optimizer.Engine.dll.");
            return false;
        }

        var defaultLimit = EngineTimeLimit.Parse(EngineTimeout, EngineTimeLimit.DefaultSeconds);
        if (defaultLimit is null)
        {
            Diagnostics.Error(DiagnosticCodes.InvalidValue, SourceLocation.FileOnly(ProjectFile),
                $"{EngineTimeLimit.Property} is '{EngineTimeout}', but it must be {EngineTimeLimit.Expected}. Fix the property or remove it (default {EngineTimeLimit.DefaultSeconds}).");
            return false;
        }

        var storage = StorageSettings.Read(WeightsStorage, EmbedLimitBytes, ModelsFolder, Diagnostics, ProjectFile);
        if (storage is null)
            return false;

        var runner = new EngineRunner(Diagnostics, BuildEngine, DotnetHost.Find(DotnetHostPath) ?? DotnetHost.ExecutableName,
            EngineAssembly, EngineEnvironment(), _cancelled);
        var engineIdentity = EngineIdentity.Of(EngineAssembly);
        var trainingIdentity = string.IsNullOrEmpty(TrainingAssembly) || !File.Exists(TrainingAssembly)
            ? engineIdentity
            : engineIdentity + " training " + EngineIdentity.Of(TrainingAssembly!);
        var outputs = new List<ITaskItem>();
        var writes = new List<ITaskItem>();
        foreach (var shared in SharedPlan.Group(RequireSpeedupDefault.Apply(discovery.Plans, RequireSpeedup), Diagnostics))
        {
            if (_cancelled.WaitOne(0))
                break;

            var plan = shared.Plan;
            PlanFile.Write(plan);
            writes.Add(new TaskItem(plan.PlanPath));
            writes.Add(new TaskItem(plan.StampPath));
            var limit = TimeLimitOf(plan, defaultLimit.Value);
            var key = KeyOf(plan, Trains(plan) ? trainingIdentity : engineIdentity);
            if (limit is not null && key is not null && Bring(shared, key, runner, limit.Value))
            {
                var produced = EngineOutputs.Existing(plan, shared.ClassNames).ToList();
                if (!Store(plan, produced, storage))
                    continue;
                outputs.AddRange(produced);
                writes.AddRange(produced.Select(item => new TaskItem(item.ItemSpec)));
                if (File.Exists(StampFile.WarningsPath(plan)))
                    writes.Add(new TaskItem(StampFile.WarningsPath(plan)));
            }
        }

        Outputs = outputs.ToArray();
        FileWrites = writes.ToArray();
        // A cancelled build fails without an error of its own: MSBuild reports the cancellation.
        return !Log.HasLoggedErrors && !_cancelled.WaitOne(0);
    }

    private static bool Trains(OptimizationPlan plan) =>
        plan.Passes.Any(p => AttributeCatalog.FindPass(p.Pass)?.Package is not null);

    /// <summary>The plan's cache key, or null (and OPT1024) when its model or a data file may no longer be read.</summary>
    private string? KeyOf(OptimizationPlan plan, string engineIdentity)
    {
        try
        {
            return CacheKey.Compute(plan, engineIdentity);
        }
        catch (UntrustedFileException e)
        {
            // Planning checked the files; this one was replaced (by a pipe, a device, ...) since.
            Diagnostics.Error(DiagnosticCodes.FileRefused, plan.DeclaredAt,
                $"'{plan.ModelPath}' cannot be optimized: {e.FilePath} cannot be used: {e.Reason}. {DeclaredFile.Advice(e.Problem)}");
            return null;
        }
    }

    /// <summary>Marks the plan's outputs embedded or files (<see cref="StorageDecision"/>); false (and an error) when it cannot be stored as declared.</summary>
    private bool Store(OptimizationPlan plan, IReadOnlyList<ITaskItem> produced, StorageSettings storage)
    {
        var mode = storage.Mode;
        if (ItemMetadataOf(plan, StorageOptions.ItemMetadata) is { } declared)
        {
            if (StorageOptions.ParseMode(declared.Text, mode) is not { } itemMode)
            {
                Diagnostics.Error(DiagnosticCodes.InvalidValue, plan.DeclaredAt,
                    $"<OnnxModel Include=\"{declared.Item.ItemSpec}\"> has {StorageOptions.ItemMetadata}=\"{declared.Text}\", but it must be {StorageOptions.ExpectedMode}.");
                return false;
            }

            mode = itemMode;
        }

        if (StorageDecision.Apply(produced, mode, storage.EmbedLimitBytes, storage.Folder) is { } refusal)
        {
            Diagnostics.Error(DiagnosticCodes.CannotEmbed, plan.DeclaredAt,
                $"'{plan.ModelPath}' cannot be embedded as {StorageOptions.ItemMetadata}=Embedded asks: {refusal}. Use WeightsStorage=\"Auto\" or \"Files\" (the files are copied beside the app).");
            return false;
        }

        return true;
    }

    /// <summary>The plan's &lt;OnnxModel&gt; item's non-empty <paramref name="metadata"/>, or null (attribute-declared models have none).</summary>
    private (ITaskItem Item, string Text)? ItemMetadataOf(OptimizationPlan plan, string metadata)
    {
        foreach (var item in Models)
        {
            var text = item.GetMetadata(metadata);
            if (!string.IsNullOrWhiteSpace(text) && ModelPaths.Equal(ModelPaths.Normalize(item.ItemSpec, ProjectDirectory), plan.ModelPath))
                return (item, text);
        }

        return null;
    }

    /// <summary>The plan's limit in seconds: its item's EngineTimeout, else the project's; null (and OPT1003) when invalid.</summary>
    private int? TimeLimitOf(OptimizationPlan plan, int projectLimit)
    {
        if (ItemMetadataOf(plan, EngineTimeLimit.ItemMetadata) is { } declared)
        {
            var (item, text) = declared;
            var seconds = EngineTimeLimit.Parse(text, projectLimit);
            if (seconds is null)
            {
                Diagnostics.Error(DiagnosticCodes.InvalidValue, plan.DeclaredAt,
                    $"<OnnxModel Include=\"{item.ItemSpec}\"> has {EngineTimeLimit.ItemMetadata}=\"{text}\", but it must be {EngineTimeLimit.Expected}.");
            }

            return seconds;
        }

        return projectLimit;
    }

    /// <summary>Brings one plan's outputs up to date; true when they exist afterwards.</summary>
    private bool Bring(SharedPlan shared, string key, EngineRunner runner, int limitSeconds)
    {
        var plan = shared.Plan;
        if (EngineOutputs.Complete(plan) && StampFile.IsUpToDate(plan, key))
        {
            Log.LogMessage(MessageImportance.Low, $"{plan.ModelPath}: {plan.Name} is up to date; the optimizer engine is not run.");
            // The run that made these outputs warned: every build of them says so, not only the first.
            foreach (var warning in StampFile.Warnings(plan))
                Diagnostics.EngineLine(warning);
            return true;
        }

        if (!RunEngine)
        {
            // Design-time builds never optimize: show what the last real build produced, if anything.
            Log.LogMessage(MessageImportance.Low, $"{plan.ModelPath}: not optimized in a design-time build.");
            return EngineOutputs.Complete(plan);
        }

        StampFile.Delete(plan);
        var warnings = new List<string>();
        if (!runner.Run(plan, limitSeconds, shared.Declarers, line =>
            {
                if (EngineDiagnostic.Parse(line) is { IsError: false })
                    warnings.Add(line);
            }))
            return false;

        if (EngineOutputs.Missing(plan) is { Count: > 0 } missing)
        {
            Diagnostics.Error(DiagnosticCodes.EngineOutputsMissing, plan.DeclaredAt,
                $"The optimizer engine finished '{plan.ModelPath}' but did not write {string.Join(" and ", missing)}. Rebuild; if it persists, report it with the build log.");
            return false;
        }

        StampFile.Write(plan, key, warnings);
        return true;
    }

    /// <summary><see cref="EnvironmentVariables"/> as pairs; entries without '=' are ignored.</summary>
    private IReadOnlyList<KeyValuePair<string, string>> EngineEnvironment() =>
        EnvironmentVariables
            .Select(entry => entry.IndexOf('=') is var at && at > 0 ? new KeyValuePair<string, string>(entry.Substring(0, at), entry.Substring(at + 1)) : default)
            .Where(pair => pair.Key is not null)
            .ToList();

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
                Diagnostics.Error(new BuildDiagnostic(DiagnosticCodes.ReadFailed, $"Could not read {path} to look for [OnnxModel]: {e.Message}", SourceLocation.FileOnly(path)));
                continue;
            }

            yield return (path, text);
        }
    }

    private DiagnosticLog Diagnostics => _diagnostics ??= new DiagnosticLog(Log, DiagnosticsHelp);
}

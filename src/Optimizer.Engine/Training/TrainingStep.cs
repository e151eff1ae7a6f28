using System.Reflection;
using System.Security.Cryptography;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Engine.Verification;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Schema;
using Optimizer.Runtime;

namespace Optimizer.Engine.Training;

/// <summary>
/// The engine's hook for [FineTune] (and [Distill]): takes those requests out of the pass list and
/// becomes the pipeline's after-pruning step, which reads the data files, loads the Optimizer.Training
/// assembly (only now) and trains the pruned model's weights before quantization. Each epoch's line
/// goes to standard output as it ends (the build prints it). A pipeline that runs again on the same
/// pruned model (accuracy-budget trials, the speed-up gate's float build) reuses the trained weights.
/// </summary>
internal sealed class TrainingStep : IPipelineStep
{
    public static string FineTune => PassSchema.FineTune.Name;
    public static string Distill => PassSchema.Distill.Name;

    private readonly OptimizationPlan _plan;
    private readonly OnnxModel _original;
    private readonly PlannedPass? _fineTune;
    private readonly PlannedPass? _distill;
    private readonly TextWriter _progress;
    private readonly Dictionary<string, (List<OnnxTensor> Initializers, PassReport Report)> _trained = new(StringComparer.Ordinal);

    private TrainingStep(OptimizationPlan plan, OnnxModel original, PlannedPass? fineTune, PlannedPass? distill, TextWriter progress)
    {
        (_plan, _original, _fineTune, _distill, _progress) = (plan, original, fineTune, distill, progress);
    }

    /// <summary>
    /// Removes the training requests from <paramref name="requests"/> and returns the step that runs
    /// them, or null when the plan declares no training (then nothing of Optimizer.Training is loaded).
    /// </summary>
    public static TrainingStep? Take(OptimizationPlan plan, OnnxModel original, List<PassRequest> requests, TextWriter? progress = null)
    {
        static bool IsTraining(string pass) => pass.Equals(FineTune, StringComparison.OrdinalIgnoreCase) || pass.Equals(Distill, StringComparison.OrdinalIgnoreCase);
        if (requests.RemoveAll(r => IsTraining(r.Pass)) == 0)
            return null;
        var fineTune = plan.Passes.FirstOrDefault(p => p.Pass.Equals(FineTune, StringComparison.OrdinalIgnoreCase));
        var distill = plan.Passes.FirstOrDefault(p => p.Pass.Equals(Distill, StringComparison.OrdinalIgnoreCase));
        return new TrainingStep(plan, original, fineTune, distill, progress ?? Console.Out);
    }

    public PassReport Run(OnnxModel model)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(OnnxModelWriter.ToBytes(model)));
        if (!_trained.TryGetValue(key, out var trained))
        {
            var report = Train(model);
            _trained[key] = trained = (model.Graph.Initializers.Select(i => i.Clone()).ToList(), report);
            return report;
        }

        model.Graph.Initializers.Clear();
        model.Graph.Initializers.AddRange(trained.Initializers.Select(i => i.Clone()));
        return trained.Report;
    }

    private PassReport Train(OnnxModel model)
    {
        var declared = _fineTune ?? _distill!;
        var at = declared.DeclaredAt;
        var train = TrainingAssembly.Train(declared.Pass);
        string? Option(PlannedPass? pass, string name) => pass?.Options.FirstOrDefault(o => o.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } v ? v : null;

        // Data files (only with [FineTune]; without it the training assembly reports what is missing).
        CalibrationDataSet? data = null;
        int[]? labels = null, validationLabels = null;
        CalibrationDataSet? validation = null;
        if (_fineTune is not null && Option(_fineTune, nameof(FineTuneAttribute.Data)) is { } dataFile)
        {
            data = VerificationData.ReadTrainingSamples(_plan, _original, dataFile, nameof(FineTuneAttribute.Data), at);
            labels = Option(_fineTune, nameof(FineTuneAttribute.Labels)) is { } labelFile ? VerificationData.ReadTrainingLabels(_plan, labelFile, at) : null;
            // Per-epoch accuracy: [FineTune] Validation, else [AccuracyBudget]'s Validation and Labels.
            var budget = _plan.Passes.FirstOrDefault(p => p.Pass == AccuracyBudgetSettings.PassName);
            var (validationFile, validationLabelFile) = Option(_fineTune, nameof(FineTuneAttribute.Validation)) is { } v ? (v, Option(_fineTune, nameof(FineTuneAttribute.ValidationLabels)))
                : (Option(budget, nameof(AccuracyBudgetAttribute.Validation)), Option(budget, nameof(AccuracyBudgetAttribute.Labels)));
            if (validationFile is not null && validationLabelFile is not null)
            {
                validation = VerificationData.ReadTrainingSamples(_plan, _original, validationFile, nameof(FineTuneAttribute.Validation), at);
                validationLabels = VerificationData.ReadTrainingLabels(_plan, validationLabelFile, at);
            }
        }

        var teacher = _original;
        if (Option(_distill, nameof(DistillAttribute.Teacher)) is { } teacherFile)
        {
            var path = Path.GetFullPath(Path.Combine(_plan.ProjectDirectory ?? Path.GetDirectoryName(_plan.Model)!, teacherFile));
            if (!File.Exists(path))
                throw new EngineException(EngineErrorCodes.DataFileNotFound, $"The Teacher model '{teacherFile}' of [Distill] was not found (looked for '{path}'). The path is relative to the project folder.", _distill!.DeclaredAt);
            teacher = OnnxModelLoader.Load(path);
        }

        var modelName = Path.GetFileName(_plan.ModelPath);
        Action<string> progress = line =>
        {
            _progress.WriteLine($"{modelName}: {(_distill is null ? "fine-tune" : "distill")} {line}");
            _progress.Flush();
        };
        try
        {
            return (PassReport)train.Invoke(null,
                [model, teacher, _fineTune?.Options, _distill?.Options, data, labels, validation, validationLabels, progress])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}

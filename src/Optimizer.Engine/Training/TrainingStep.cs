using System.Reflection;
using System.Security.Cryptography;
using Optimizer.Engine.DataFiles;
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
        var teacher = Teacher();
        var modelName = Path.GetFileName(_plan.ModelPath);
        Action<string> progress = line =>
        {
            _progress.WriteLine($"{modelName}: {(_distill is null ? "fine-tune" : "distill")} {line}");
            _progress.Flush();
        };
        // A one-float-input model reads its files as before (.npy / raw float32 with labels); any
        // other (an encoder's int64 token ids) reads them as the data layer matches them to every input.
        var inputs = _original.Graph.Inputs;
        return inputs.Count == 1 && inputs[0].Type?.ElementType == TensorElementType.Float
            ? Invoke(TrainingAssembly.Train(declared.Pass), [model, teacher, _fineTune?.Options, _distill?.Options, .. ClassifierData(declared.DeclaredAt), progress])
            : Invoke(TrainingAssembly.TrainSamples(declared.Pass), [model, teacher, _fineTune?.Options, _distill?.Options, .. Samples(declared.DeclaredAt), progress]);
    }

    private static string? Option(PlannedPass? pass, string name) =>
        pass?.Options.FirstOrDefault(o => o.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } v ? v : null;

    /// <summary>[FineTune] Validation, else [AccuracyBudget]'s Validation (and their labels).</summary>
    private (string? Validation, string? Labels) ValidationFiles()
    {
        var budget = _plan.Passes.FirstOrDefault(p => p.Pass == AccuracyBudgetSettings.PassName);
        return Option(_fineTune, nameof(FineTuneAttribute.Validation)) is { } v ? (v, Option(_fineTune, nameof(FineTuneAttribute.ValidationLabels)))
            : (Option(budget, nameof(AccuracyBudgetAttribute.Validation)), Option(budget, nameof(AccuracyBudgetAttribute.Labels)));
    }

    /// <summary>Data, Labels, Validation, ValidationLabels for a one-float-input model (only with [FineTune]; without it the training assembly reports what is missing).</summary>
    private object?[] ClassifierData(DiagnosticLocation? at)
    {
        CalibrationDataSet? data = null, validation = null;
        int[]? labels = null, validationLabels = null;
        if (_fineTune is not null && Option(_fineTune, nameof(FineTuneAttribute.Data)) is { } dataFile)
        {
            data = VerificationData.ReadTrainingSamples(_plan, _original, dataFile, nameof(FineTuneAttribute.Data), at);
            labels = Option(_fineTune, nameof(FineTuneAttribute.Labels)) is { } labelFile ? VerificationData.ReadTrainingLabels(_plan, labelFile, at) : null;
            var (validationFile, validationLabelFile) = ValidationFiles();
            if (validationFile is not null && validationLabelFile is not null)
            {
                validation = VerificationData.ReadTrainingSamples(_plan, _original, validationFile, nameof(FineTuneAttribute.Validation), at);
                validationLabels = VerificationData.ReadTrainingLabels(_plan, validationLabelFile, at);
            }
        }
        return [data, labels, validation, validationLabels];
    }

    /// <summary>Data and Validation matched to every model input (an .npz of token ids needs no labels).</summary>
    private object?[] Samples(DiagnosticLocation? at)
    {
        if (_fineTune is null || Option(_fineTune, nameof(FineTuneAttribute.Data)) is not { } dataFile)
            return [null, null];
        var data = ModelDataReader.Read(_plan, _original, dataFile, nameof(FineTuneAttribute.Data), at);
        var validation = ValidationFiles().Validation is { } validationFile
            ? ModelDataReader.Read(_plan, _original, validationFile, nameof(FineTuneAttribute.Validation), at)
            : null;
        return [data, validation];
    }

    private OnnxModel Teacher()
    {
        if (Option(_distill, nameof(DistillAttribute.Teacher)) is not { } teacherFile)
            return _original;
        var path = Path.GetFullPath(Path.Combine(_plan.ProjectDirectory ?? Path.GetDirectoryName(_plan.Model)!, teacherFile));
        if (!File.Exists(path))
            throw new EngineException(EngineErrorCodes.DataFileNotFound, $"The Teacher model '{teacherFile}' of [Distill] was not found (looked for '{path}'). The path is relative to the project folder.", _distill!.DeclaredAt);
        return OnnxModelLoader.Load(path);
    }

    private static PassReport Invoke(MethodInfo method, object?[] arguments)
    {
        try
        {
            return (PassReport)method.Invoke(null, arguments)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}

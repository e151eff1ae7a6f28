using System.Diagnostics;
using System.Security.Cryptography;
using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.Calibration;
using Optimizer.Engine.Cli;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Manifests;
using Optimizer.Engine.Output;
using Optimizer.Engine.Plans;
using Optimizer.Engine.Reports;
using Optimizer.Engine.Supervision;
using Optimizer.Engine.Verification;
using Optimizer.Onnx;
using Optimizer.Onnx.Files;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Schema;
using Optimizer.Runtime;

namespace Optimizer.Engine.Commands;

/// <summary>
/// <c>optimize --plan &lt;file&gt;</c>: load → passes → verify (and [AccuracyBudget]) → speed check (a declared Quantize; RequireSpeedup reverts) → write the optimized model and its manifest.
/// On failure prints coded canonical errors pointing at the declaration, and removes this plan's
/// previous outputs so nothing stale is embedded by a later build.
/// </summary>
public static class OptimizeCommand
{
    public const string Name = "optimize";
    public const string Usage = "optimize --plan <file.plan.json>\n  " + CommandLinePlan.Usage;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var planPath = ArgumentReader.Value(args, "--plan");
        var modelPath = ArgumentReader.Value(args, "--model");
        if (planPath is null == modelPath is null)
            throw new EngineException(EngineErrorCodes.Usage, $"Give either --plan or --model. Usage: {Usage}");

        var plan = planPath is not null ? PlanReader.Read(planPath) : CommandLinePlan.From(args, modelPath!);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var outcome = Optimize(plan);
            foreach (var warning in outcome.Warnings)
                stdout.WriteLine(warning);
            stdout.WriteLine(SummaryLine.Format(plan, outcome.SizeBefore, outcome.SizeAfter, stopwatch.Elapsed, outcome.Fidelity, outcome.Speed));
            return 0;
        }
        catch (Exception e)
        {
            RemoveOutputs(plan);
            stderr.WriteLine(ErrorReport.For(e, plan));
            return 1;
        }
    }

    /// <summary>
    /// What one run did: sizes in bytes, the fidelity and speed-up gate figures for the summary line
    /// (null when not measured), warnings, and the report that was written.
    /// </summary>
    public sealed record Outcome(long SizeBefore, long SizeAfter, string? Fidelity, IReadOnlyList<string> Warnings, string? Speed = null, ModelReport? Report = null);

    public static Outcome Optimize(OptimizationPlan plan)
    {
        var model = OnnxModelLoader.Load(plan.Model, plan.Limits);
        // Inconsistent nodes (OPT1123) and oversized values (OPT1119) are refused here, with the model's
        // path, before any pass or report could swallow them while inferring shapes for its own use.
        ShapeInference.Infer(model);
        if (LargeModelOptimize.Applies(model))
            return LargeModelOptimize.Run(plan, model, PendingChecks.PassRequests(plan));
        var sourceBytes = ReadModelBytes(plan.Model, plan.Limits);
        OnnxRuntimeLoadCheck.Input(plan.Model, sourceBytes, plan.ModelPath, plan.DeclaredAt);
        var budget = AccuracyBudgetSettings.From(plan);

        var requests = PendingChecks.PassRequests(plan);
        EngineStage.Enter("training: fine-tuning or distilling the model");
        var training = Training.TrainingStep.Take(plan, model, requests); // [FineTune]/[Distill]: after pruning, before quantization
        var calibrationData = CalibrationDataLoader.Load(plan, model);
        var fileCache = new FileCalibrationCache(Path.Combine(plan.OutputDirectory, "calibration"));
        var trialCache = new TrialCalibrationCache(fileCache);
        var executor = new StagedModelExecutor(new OnnxRuntimeModelExecutor());
        EngineStage.Enter(StagedModelExecutor.PassesStage);
        PassContext Context(bool trial) => new()
        {
            CalibrationData = calibrationData,
            Executor = executor,
            // Trial builds (layers reverted while searching for the budget) keep their calibration in memory only.
            CalibrationCache = trial ? trialCache : fileCache,
            AfterPruning = training,
        };
        PipelineResult Build(IReadOnlyCollection<string> keepFloat, bool trial) => PassPipeline.Run(model, WithKeepFloat(requests, keepFloat), Context(trial));
        // The plan without Quantize: the speed-up gate's baseline and the fp32 compiled variant share one run.
        PipelineResult? floatResult = null;
        PipelineResult Float() => floatResult ??= PassPipeline.Run(model, requests.Where(r => !IsQuantize(r)).ToList(), Context(false));

        var result = Build([], false);
        var warnings = new List<string>();
        string? fidelity = null;
        VerificationOutcome? verification = null;
        IReadOnlyList<string> estimates = [];
        var control = new AccuracyControl(plan, model, budget, requests.Any(IsStaticInt8), Build);
        void Verify(PipelineResult candidate)
        {
            var outcome = verification = control.Run(candidate, calibrationData);
            result = outcome.Result;
            warnings.AddRange(outcome.Warnings);
            estimates = outcome.EstimateWarnings;
            fidelity = outcome.Fidelity?.Describe(budget?.MaxDrop, budget?.MinCosine);
            if (outcome.Reverted.Count > 0)
                fidelity += $", {outcome.Reverted.Count} quantized layer{(outcome.Reverted.Count == 1 ? "" : "s")} kept in fp32 ({string.Join(", ", outcome.Reverted)})";
        }

        if (budget is not null || requests.Count > 0)
            Verify(result);
        else
            RunnableCheck.RunOnce(plan, model, result.Model, OnnxModelWriter.ToBytes(result.Model), calibrationData);

        // A declared quantization is timed against the same plan without Quantize at the data's shapes:
        // RequireSpeedup keeps fp32 (verified again) when not faster; otherwise a slower result only warns.
        SpeedupDecision? speed = null;
        if (SpeedCheck.Of(plan) is { } check)
        {
            var fp32 = Float();
            var timed = SpeedupGate.Measure(plan, model, check, OnnxModelWriter.ToBytes(fp32.Model), OnnxModelWriter.ToBytes(result.Model), verification?.Samples);
            speed = timed.Decision;
            if (speed is { KeepQuantized: false })
            {
                warnings.Clear();
                Verify(fp32);
            }

            if (timed.Warning is { } warning)
                warnings.Add(warning);
        }

        warnings.AddRange(PassShortfalls.Warnings(plan, result));
        var optimizedBytes = OnnxModelWriter.ToBytes(result.Model);
        OnnxRuntimeLoadCheck.Optimized(optimizedBytes, plan.DeclaredAt);
        EngineStage.Enter("compiling the kernel program");
        // A quantized model also gets an fp32 compiled variant (the plan without Quantize) for CPUs without INT8 dot products.
        var (programFiles, execution) = Compilation.CompiledProgramOutput.Compile(plan, result.Model, optimizedBytes,
            requests.Any(IsQuantize) ? () => Float().Model : null);
        EngineStage.Enter("timing ONNX Runtime against the compiled kernels");
        var auto = AutoPathTiming.Measure(plan, model, optimizedBytes, execution, programFiles, verification?.Samples);
        execution = execution with { Auto = auto?.Choice, VariantChoice = auto?.Variants?.Choice };

        var manifest = new ModelManifest(
            EngineVersion.Current,
            plan.Name,
            plan.ClassName,
            plan.ModelPath,
            plan.ResourceName,
            Convert.ToHexStringLower(SHA256.HashData(sourceBytes)),
            Convert.ToHexStringLower(SHA256.HashData(optimizedBytes)),
            sourceBytes.LongLength,
            optimizedBytes.LongLength,
            result.Reports.Select(r => new ManifestPass(r.Pass, r.Summary)).ToList(),
            InputRanges.Attach(result.Model, ManifestValues.From(result.Model.Graph.Inputs), [.. calibrationData.Values, verification?.Samples]),
            ManifestValues.From(result.Model.Graph.Outputs)) { Execution = execution };

        // No elapsed time in the report: the same inputs must give byte-identical reports.
        var report = ModelReportBuilder.From(plan, model, sourceBytes, result, optimizedBytes) with
        {
            Fidelity = ReportFigures(verification, budget),
        };
        report = (speed?.ApplyTo(report) ?? report) with { AutoPath = auto?.Describe() };

        EngineStage.Enter("writing the outputs");
        PlanOutputs.Replace(plan, [(plan.OptimizedModelFileName, optimizedBytes), .. programFiles, .. report.ToFiles()], ManifestWriter.ToBytes(manifest));
        return new Outcome(sourceBytes.LongLength, optimizedBytes.LongLength, fidelity, [.. warnings, .. estimates], speed?.Describe(), report);
    }

    /// <summary>The model's bytes (for its hash and size), read as the untrusted file it is; the loader has checked the same file.</summary>
    private static byte[] ReadModelBytes(string path, ModelLoadLimits limits)
    {
        try
        {
            return UntrustedFile.ReadAllBytes(path, limits.MaxModelBytes);
        }
        catch (UntrustedFileException e)
        {
            throw new OnnxFormatException(OnnxErrorCodes.FileNotReadable,
                $"The model file '{e.FilePath}' cannot be read: {e.Reason}. Check that it is a regular file that nothing replaces during the build.", e.FilePath, e);
        }
    }

    private static FidelityFigures? ReportFigures(VerificationOutcome? verification, AccuracyBudgetSettings? budget) =>
        verification?.Fidelity?.ToReport(budget?.MaxDrop, verification.Reverted, budget?.MinCosine);

    private static bool IsQuantize(PassRequest request) => request.Pass.Equals(PassSchema.Quantize.Name, StringComparison.OrdinalIgnoreCase);

    private static bool IsStaticInt8(PassRequest request) =>
        IsQuantize(request)
        && request.Options.Any(o => o.Key.Equals(nameof(QuantizeAttribute.Mode), StringComparison.OrdinalIgnoreCase) && o.Value.Equals(nameof(QuantizationMode.StaticInt8), StringComparison.OrdinalIgnoreCase));

    /// <summary>The requests with <paramref name="keepFloat"/> added to the StaticInt8 request's KeepFloat option.</summary>
    private static List<PassRequest> WithKeepFloat(List<PassRequest> requests, IReadOnlyCollection<string> keepFloat)
    {
        if (keepFloat.Count == 0)
            return requests;
        return requests.Select(r =>
        {
            if (!IsStaticInt8(r))
                return r;
            const string KeepFloat = nameof(QuantizeAttribute.KeepFloat);
            var options = r.Options.Where(o => !o.Key.Equals(KeepFloat, StringComparison.OrdinalIgnoreCase)).ToDictionary(o => o.Key, o => o.Value);
            var declared = r.Options.FirstOrDefault(o => o.Key.Equals(KeepFloat, StringComparison.OrdinalIgnoreCase)).Value;
            options[KeepFloat] = string.Join(";", (declared is null ? [] : new[] { declared }).Concat(keepFloat));
            return r with { Options = options };
        }).ToList();
    }

    /// <summary>Reads the build's calibration cache; keeps what trial builds calibrate in memory.</summary>
    private sealed class TrialCalibrationCache(ICalibrationCache inner) : ICalibrationCache
    {
        private readonly Dictionary<string, byte[]> _memory = new(StringComparer.Ordinal);

        public byte[]? TryGet(string key) => _memory.TryGetValue(key, out var value) ? value : inner.TryGet(key);

        public void Set(string key, byte[] result) => _memory[key] = result;
    }

    /// <summary>Deletes this plan's outputs after a failure, so nothing stale is taken for a result.</summary>
    internal static void RemoveOutputs(OptimizationPlan plan)
    {
        // The manifest first: it must never name a file already deleted.
        var optimizedData = ExternalDataOptions.DataFileName(plan.OptimizedModelFileName);
        foreach (var fileName in OutputNames.All.OrderBy(output => output.Kind != OutputKind.Manifest).Select(output => output.FileName(plan.Name)).Append(optimizedData))
        {
            try
            {
                File.Delete(Path.Combine(plan.OutputDirectory, fileName));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The error being reported matters more; the task's stamp is gone, so the next build retries.
            }
        }
    }
}

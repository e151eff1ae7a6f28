using System.Diagnostics;
using System.Security.Cryptography;
using Optimizer.Engine.Calibration;
using Optimizer.Engine.Cli;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Manifests;
using Optimizer.Engine.Output;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;

namespace Optimizer.Engine.Commands;

/// <summary>
/// <c>optimize --plan &lt;file&gt;</c>: load → passes → write the optimized model and its manifest.
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
            foreach (var warning in PendingChecks.Warnings(plan))
                stdout.WriteLine(warning);
            var (sizeBefore, sizeAfter) = Optimize(plan);
            stdout.WriteLine(SummaryLine.Format(plan, sizeBefore, sizeAfter, stopwatch.Elapsed));
            return 0;
        }
        catch (Exception e)
        {
            RemoveOutputs(plan);
            stderr.WriteLine(ErrorReport.For(e, plan));
            return 1;
        }
    }

    /// <returns>Source and optimized sizes in bytes.</returns>
    public static (long SizeBefore, long SizeAfter) Optimize(OptimizationPlan plan)
    {
        var model = OnnxModelLoader.Load(plan.Model);
        var sourceBytes = File.ReadAllBytes(plan.Model);

        var requests = PendingChecks.PassRequests(plan);
        var context = new PassContext
        {
            CalibrationData = CalibrationDataLoader.Load(plan, model),
            Executor = new OnnxRuntimeModelExecutor(),
            CalibrationCache = new FileCalibrationCache(Path.Combine(plan.OutputDirectory, "calibration")),
        };
        var result = PassPipeline.Run(model, requests, context);
        var optimizedBytes = OnnxModelWriter.ToBytes(result.Model);

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
            ManifestValues.From(result.Model.Graph.Inputs),
            ManifestValues.From(result.Model.Graph.Outputs));

        AtomicOutputWriter.WriteAll(plan.OutputDirectory, new[]
        {
            (plan.OptimizedModelFileName, optimizedBytes),
            (plan.ManifestFileName, ManifestWriter.ToBytes(manifest)),
        });
        return (sourceBytes.LongLength, optimizedBytes.LongLength);
    }

    private static void RemoveOutputs(OptimizationPlan plan)
    {
        foreach (var fileName in new[] { plan.OptimizedModelFileName, plan.ManifestFileName })
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

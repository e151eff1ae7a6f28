using System.Runtime;
using System.Security.Cryptography;
using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.Calibration;
using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Manifests;
using Optimizer.Engine.Output;
using Optimizer.Engine.Plans;
using Optimizer.Engine.Supervision;
using Optimizer.Engine.Verification;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Schema;

namespace Optimizer.Engine.Commands;

/// <summary>
/// <c>optimize</c> for a model too large for the in-memory path (more than one protobuf's 2 GiB of tensors, or
/// weights that stayed in their data file when loaded): the passes stream those weights, the optimized model
/// is written with its weights in <c>&lt;Name&gt;.onnx.data</c> beside it, and verification opens the original
/// and the optimized model from their files in ONNX Runtime, one after the other. Peak memory is about the
/// largest weight's output plus ONNX Runtime's copy of one model.
/// </summary>
/// <remarks>
/// Steps that need the model in memory twice or many times are not run: the compiled kernel program, the
/// speed-up check and the reports (a warning says so); fine-tuning, distilling, an [AccuracyBudget], RequireSpeedup
/// and calibration (StaticInt8) are refused with OPT1087.
/// </remarks>
internal static class LargeModelOptimize
{
    /// <summary>Models whose tensors add up past this take this path: the in-memory path serializes them as one protobuf.</summary>
    public const long TensorBytesThreshold = int.MaxValue - 64;

    public const string SkippedWarning =
        "warning: the model is larger than 2 GiB, so it is written with external data (<Name>.onnx.data beside it) and run through ONNX Runtime only: " +
        "no compiled kernel program, speed-up check or report was made.";

    /// <summary>True when <paramref name="model"/> must take this path.</summary>
    public static bool Applies(OnnxModel model, long thresholdBytes = TensorBytesThreshold)
    {
        var initializers = model.Graph.Initializers;
        return initializers.Any(t => t.StaysInFile) || initializers.Sum(t => Math.Max(0, t.RawByteCount)) > thresholdBytes;
    }

    public static OptimizeCommand.Outcome Run(OptimizationPlan plan, OnnxModel model, IReadOnlyList<PassRequest> requests)
    {
        Refuse(plan, requests);
        var calibrationData = CalibrationDataLoader.Load(plan, model);
        EngineStage.Enter(StagedModelExecutor.PassesStage);
        var result = PassPipeline.Run(model, requests.ToList(), new PassContext
        {
            CalibrationData = calibrationData,
            Executor = new StagedModelExecutor(new OnnxRuntimeModelExecutor()),
            CalibrationCache = new FileCalibrationCache(Path.Combine(plan.OutputDirectory, "calibration")),
        });

        EngineStage.Enter("writing the optimized model and its external data");
        var optimizedPath = Path.Combine(plan.OutputDirectory, plan.OptimizedModelFileName);
        var dataPath = OnnxModelWriter.Save(result.Model, optimizedPath, new ExternalDataOptions { Mode = ExternalDataMode.Always });
        var passes = result.Reports.Select(r => new ManifestPass(r.Pass, r.Summary)).ToList();
        result = null;
        // The quantized weights are on disk now: drop them (and give their memory back to the system) before
        // ONNX Runtime loads either model, and read the optimized graph back with its weights left in the file.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var optimized = OnnxModelLoader.Load(optimizedPath, ModelLoadLimits.Trusted with { InMemoryTensorBytes = ExternalDataOptions.Default.MinTensorBytes, InMemoryModelBytes = 0 });

        var data = VerificationData.Load(plan, model, null, calibrationData, SymbolicDimSizes.From(plan));
        var fidelity = FileModelComparison.Compare(plan.Model, model, optimizedPath, optimized, data);

        var sourceFile = Path.GetFullPath(plan.Model);
        var optimizedFiles = dataPath is null ? [optimizedPath] : new[] { optimizedPath, dataPath };
        var manifest = new ModelManifest(
            EngineVersion.Current, plan.Name, plan.ClassName, plan.ModelPath, plan.ResourceName,
            // The source hash covers the model file, as for every model; the optimized one both files the app loads.
            Sha256([sourceFile]), Sha256(optimizedFiles),
            new FileInfo(sourceFile).Length + (model.ExternalDataBytes ?? 0), optimizedFiles.Sum(f => new FileInfo(f).Length),
            passes,
            InputRanges.Attach(optimized, ManifestValues.From(optimized.Graph.Inputs), [.. calibrationData.Values, data.Samples]),
            ManifestValues.From(optimized.Graph.Outputs))
        {
            Execution = new ManifestExecution(["OnnxRuntime"], null, ["the model is larger than 2 GiB: it runs in ONNX Runtime from its files"]),
        };

        EngineStage.Enter("writing the outputs");
        PlanOutputs.Replace(plan, [], ManifestWriter.ToBytes(manifest), writtenBefore: optimizedFiles.Select(Path.GetFileName)!);
        return new OptimizeCommand.Outcome(manifest.SizeBefore, manifest.SizeAfter, fidelity.Describe(null), [SkippedWarning]);
    }

    /// <summary>SHA-256 over the files' bytes in order, read a block at a time.</summary>
    private static string Sha256(IEnumerable<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[4 << 20];
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            int n;
            while ((n = stream.Read(buffer)) > 0)
                hash.AppendData(buffer, 0, n);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Refuse(OptimizationPlan plan, IReadOnlyList<PassRequest> requests)
    {
        string? step = null;
        if (requests.FirstOrDefault(r => r.Pass.Equals(PassSchema.FineTune.Name, StringComparison.OrdinalIgnoreCase)
                                         || r.Pass.Equals(PassSchema.Distill.Name, StringComparison.OrdinalIgnoreCase)) is { } training)
            step = $"[{training.Pass}]";
        else if (AccuracyBudgetSettings.From(plan) is not null)
            step = "[AccuracyBudget]";
        else if (SpeedCheck.Of(plan) is { Reverts: true })
            step = "RequireSpeedup";
        else if (requests.Any(r => r.Options.Any(o => o.Value.Equals(nameof(Runtime.QuantizationMode.StaticInt8), StringComparison.OrdinalIgnoreCase))))
            step = "Quantize Mode=StaticInt8 (calibration)";
        if (step is not null)
        {
            throw new EngineException(EngineErrorCodes.LargeModelUnsupported,
                $"The model is larger than 2 GiB (or keeps weights in its data files), and {step} needs it in memory several times over, which this engine does not do for such models. " +
                "Remove it, or use Quantize with Mode=DynamicInt8 or Mode=Int4, which stream large weights.", plan.DeclaredAt);
        }
    }
}

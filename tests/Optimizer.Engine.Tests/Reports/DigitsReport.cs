using Optimizer.Engine.Calibration;
using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Reports;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests.Reports;

/// <summary>digits_cnn through Prune 50% + StaticInt8 (calibrated on the digits training set), and its report.</summary>
internal static class DigitsReport
{
    public const string CalibrationKey = "Data/digits_train.f32";

    private static readonly Lazy<Built> Shared = new(Build);

    /// <summary>Built once per test run, for tests marked <c>[ConditionalFact("data")]</c>.</summary>
    public static Built Get() => Shared.Value;

    public sealed record Built(OnnxModel Original, PipelineResult Result, ModelReport Report);

    public static IReadOnlyList<ReportPlanEntry> Plan { get; } =
    [
        new("Prune", new Dictionary<string, string> { ["Sparsity"] = "0.5" }),
        new("Quantize", new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = CalibrationKey }),
    ];

    public static Built Build()
    {
        var models = RepositoryPaths.SharedModels;
        var modelPath = Path.Combine(models, "digits_cnn.onnx");
        var sourceBytes = File.ReadAllBytes(modelPath);
        var original = OnnxModelLoader.Load(modelPath);
        var context = new PassContext
        {
            CalibrationData = new Dictionary<string, SampleSet>
            {
                [CalibrationKey] = FloatInputSamples.From(original, RawFloat32Parser.Parse(File.ReadAllBytes(Path.Combine(models, "..", "digits", "digits_train_x_1347x64.f32")), [1347, 64]), "digits training images"),
            },
            Executor = new OnnxRuntimeModelExecutor(),
        };
        var result = PassPipeline.Run(original, Plan.Select(p => new PassRequest(p.Pass, p.Options)).ToList(), context);
        var optimizedBytes = OnnxModelWriter.ToBytes(result.Model);
        var report = ModelReportBuilder.From("digits_cnn", "Models/digits_cnn.onnx", Plan, original, sourceBytes, result, optimizedBytes);
        return new Built(original, result, report);
    }

    /// <summary>The same report with the figures verification adds (made up here, but of the right shape).</summary>
    public static ModelReport WithVerification(ModelReport report) =>
        report.WithLayerErrors(report.Layers.Select((l, i) => (l.Name, Error: 0.002 * (i + 1))).ToDictionary(p => p.Name, p => p.Error), "max abs error") with
        {
            Fidelity = new FidelityFigures("digits_test_x_450x64.f32 (450 samples)", 0.9711, 0.9689, 0.9933, 0.01,
                [new OutputComparison("logits", 0.0412, 0.99987, 31.4)]),
            Latency = new LatencyFigures(0.081, 0.064, "median of 200 runs after 20 warm-up, 1 thread"),
        };
}

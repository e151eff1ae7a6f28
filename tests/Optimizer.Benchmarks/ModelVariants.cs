using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Engine.Calibration;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;

namespace Optimizer.Benchmarks;

/// <summary>The models benchmarked.</summary>
public enum ModelKind
{
    /// <summary>MLP 784-1024-1024-10.</summary>
    Mlp,

    /// <summary>Small ResNet-style CNN at 224×224.</summary>
    Cnn,
}

/// <summary>The numeric variants of each model.</summary>
public enum Variant
{
    /// <summary>The float32 model as built (after nothing: the reference).</summary>
    Fp32,

    /// <summary><c>Quantize Mode=DynamicInt8</c> (MatMul/Gemm → DynamicQuantizeLinear + MatMulInteger).</summary>
    DynamicInt8,

    /// <summary><c>Quantize Mode=StaticInt8</c> with random calibration samples (QDQ).</summary>
    StaticInt8,
}

/// <summary>One built variant: the model bytes and what the pipeline said.</summary>
public sealed record BuiltVariant(ModelKind Model, Variant Variant, byte[] Bytes, IReadOnlyList<PassReport> Reports, OnnxModel Ir);

/// <summary>
/// Builds each model and runs our own passes over it once per process (benchmarks run in process,
/// so GlobalSetup of every case reuses the same bytes).
/// </summary>
public static class ModelVariants
{
    /// <summary>Calibration samples for StaticInt8 (a few random inputs; enough for a speed test, not for accuracy).</summary>
    public const int CalibrationSamples = 8;

    private const string CalibrationKey = "random-calibration";
    private static readonly ConcurrentDictionary<(ModelKind, Variant), Lazy<BuiltVariant>> Cache = new();
    private static readonly ConcurrentDictionary<ModelKind, Lazy<OnnxModel>> Float = new();

    /// <summary>Values per sample of the model's input.</summary>
    public static int SampleSize(ModelKind model) => model == ModelKind.Mlp ? 784 : 3 * 224 * 224;

    /// <summary>The input shape for <paramref name="batch"/>.</summary>
    public static long[] InputShape(ModelKind model, int batch) => model == ModelKind.Mlp ? [batch, 784] : [batch, 3, 224, 224];

    /// <summary>The built variant (cached).</summary>
    /// <exception cref="PassException">The pipeline rejected the request.</exception>
    public static BuiltVariant Get(ModelKind model, Variant variant) =>
        Cache.GetOrAdd((model, variant), key => new Lazy<BuiltVariant>(() => Build(key.Item1, key.Item2))).Value;

    private static OnnxModel FloatModel(ModelKind model) =>
        Float.GetOrAdd(model, m => new Lazy<OnnxModel>(() => m == ModelKind.Mlp ? ModelBuilders.Mlp() : ModelBuilders.ResNetCnn())).Value;

    private static BuiltVariant Build(ModelKind model, Variant variant)
    {
        var fp32 = FloatModel(model);
        switch (variant)
        {
            case Variant.Fp32:
                return new BuiltVariant(model, variant, OnnxModelWriter.ToBytes(fp32), [], fp32);
            case Variant.DynamicInt8:
            {
                var result = PassPipeline.Run(fp32, [new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" })]);
                return new BuiltVariant(model, variant, OnnxModelWriter.ToBytes(result.Model), result.Reports, result.Model);
            }

            case Variant.StaticInt8:
            {
                var size = SampleSize(model);
                var sampleShape = InputShape(model, CalibrationSamples);
                var data = new CalibrationDataSet(ModelBuilders.RandomInput(CalibrationSamples * size, seed: 99), sampleShape);
                var context = new PassContext
                {
                    CalibrationData = new Dictionary<string, SampleSet> { [CalibrationKey] = FloatInputSamples.From(fp32, data, "random calibration samples") },
                    Executor = new OnnxRuntimeModelExecutor(),
                };
                var request = new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = CalibrationKey, ["CalibrationMethod"] = CalibrationMethod });
                var result = PassPipeline.Run(fp32, [request], context);
                return new BuiltVariant(model, variant, OnnxModelWriter.ToBytes(result.Model), result.Reports, result.Model);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(variant), variant, null);
        }
    }

    /// <summary>
    /// Session options every variant shares: CPU provider, all graph optimizations, sequential
    /// execution, <see cref="IntraOpThreads"/> intra-op threads (1 unless OPTIMIZER_BENCH_THREADS says otherwise).
    /// </summary>
    public static SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions
        {
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = 1,
        };
        return options;
    }

    /// <summary>
    /// StaticInt8's CalibrationMethod (env OPTIMIZER_BENCH_CALIBRATION, default MinMax). Not the
    /// pass's default (Entropy): on random weights and 8 uniform-noise samples Entropy clips the
    /// wide activation tails and the CNN's logits move by ~30% of their range (MinMax: ~2%).
    /// The method changes only the scales, not the operators, so it does not change the speed.
    /// </summary>
    public static string CalibrationMethod =>
        Environment.GetEnvironmentVariable("OPTIMIZER_BENCH_CALIBRATION") is { Length: > 0 } method ? method : "MinMax";

    /// <summary>ONNX Runtime intra-op threads for every session (env OPTIMIZER_BENCH_THREADS, default 1).</summary>
    public static int IntraOpThreads =>
        int.TryParse(Environment.GetEnvironmentVariable("OPTIMIZER_BENCH_THREADS"), out var n) && n > 0 ? n : 1;
}

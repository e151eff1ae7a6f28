using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Benchmarks;

/// <summary>
/// One ONNX Runtime session per variant, created in GlobalSetup with the same SessionOptions;
/// inputs and outputs are preallocated OrtValues, so the benchmark body is only <c>session.Run</c>.
/// The Fp32 method is the baseline: the Ratio column is INT8 time / fp32 time in the same run.
/// </summary>
public abstract class InferenceBenchmarks
{
    private readonly Dictionary<Variant, Runner> _runners = new();

    /// <summary>Batch size (the symbolic N of the input).</summary>
    [Params(1, 64)]
    public int Batch { get; set; }

    /// <summary>The model this class measures.</summary>
    protected abstract ModelKind Model { get; }

    [GlobalSetup]
    public void Setup()
    {
        var input = ModelBuilders.RandomInput(Batch * ModelVariants.SampleSize(Model), seed: 7);
        foreach (var variant in Enum.GetValues<Variant>())
        {
            var built = ModelVariants.Get(Model, variant);
            _runners[variant] = new Runner(built.Bytes, input, ModelVariants.InputShape(Model, Batch), [Batch, 10]);
        }

        // A variant that cannot even run is a broken benchmark, not a fast one: run each once.
        foreach (var runner in _runners.Values)
        {
            runner.Run();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var runner in _runners.Values)
        {
            runner.Dispose();
        }

        _runners.Clear();
    }

    [Benchmark(Baseline = true)]
    public void Fp32() => _runners[Variant.Fp32].Run();

    [Benchmark]
    public void DynamicInt8() => _runners[Variant.DynamicInt8].Run();

    [Benchmark]
    public void StaticInt8() => _runners[Variant.StaticInt8].Run();

    private sealed class Runner : IDisposable
    {
        private readonly SessionOptions _options;
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions = new();
        private readonly string[] _inputNames;
        private readonly string[] _outputNames;
        private readonly OrtValue[] _inputs;
        private readonly OrtValue[] _outputs;

        public Runner(byte[] model, float[] input, long[] inputShape, long[] outputShape)
        {
            _options = ModelVariants.CreateSessionOptions();
            _session = new InferenceSession(model, _options);
            _inputNames = [ModelBuilders.InputName];
            _outputNames = [ModelBuilders.OutputName];
            _inputs = [OrtValue.CreateTensorValueFromMemory((float[])input.Clone(), inputShape)];
            _outputs = [OrtValue.CreateTensorValueFromMemory(new float[outputShape.Aggregate(1L, (a, d) => a * d)], outputShape)];
        }

        public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

        public void Dispose()
        {
            foreach (var v in _inputs.Concat(_outputs))
            {
                v.Dispose();
            }

            _runOptions.Dispose();
            _session.Dispose();
            _options.Dispose();
        }
    }
}

/// <summary>MLP 784-1024-1024-10 (Gemm+Relu), input [N,784].</summary>
public class MlpBenchmarks : InferenceBenchmarks
{
    protected override ModelKind Model => ModelKind.Mlp;
}

/// <summary>Small ResNet-style CNN, input [N,3,224,224].</summary>
public class CnnBenchmarks : InferenceBenchmarks
{
    protected override ModelKind Model => ModelKind.Cnn;
}

using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Benchmarks;

/// <summary>
/// The real digits models under each declaration, timed with ONNX Runtime in the same run as
/// their fp32 original (the baseline): the latency-ratio column of the closing table.
/// </summary>
public abstract class DigitsBenchmarks
{
    private readonly Dictionary<DigitsVariant, (InferenceSession Session, SessionOptions Options, OrtValue Input, OrtValue Output)> _runners = new();
    private readonly RunOptions _runOptions = new();

    [Params(1, 64)]
    public int Batch { get; set; }

    protected abstract DigitsModel Model { get; }

    [GlobalSetup]
    public void Setup()
    {
        var images = DigitsVariants.TestImages(Batch);
        foreach (var variant in Enum.GetValues<DigitsVariant>())
        {
            var options = ModelVariants.CreateSessionOptions();
            var session = new InferenceSession(DigitsVariants.Get(Model, variant), options);
            var input = OrtValue.CreateTensorValueFromMemory((float[])images.Clone(), [Batch, 1, 8, 8]);
            var output = OrtValue.CreateTensorValueFromMemory(new float[Batch * 10], [Batch, 10]);
            _runners[variant] = (session, options, input, output);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (session, options, input, output) in _runners.Values)
        {
            input.Dispose();
            output.Dispose();
            session.Dispose();
            options.Dispose();
        }
        _runners.Clear();
    }

    [Benchmark(Baseline = true)] public void Fp32() => Run(DigitsVariant.Fp32);
    [Benchmark] public void DynamicInt8() => Run(DigitsVariant.DynamicInt8);
    [Benchmark] public void StaticInt8() => Run(DigitsVariant.StaticInt8);
    [Benchmark] public void PrunedStaticInt8() => Run(DigitsVariant.PrunedStaticInt8);
    [Benchmark] public void ChannelPruned() => Run(DigitsVariant.ChannelPruned);
    [Benchmark] public void Float16() => Run(DigitsVariant.Float16);
    [Benchmark] public void Int4() => Run(DigitsVariant.Int4);

    private void Run(DigitsVariant variant)
    {
        var runner = _runners[variant];
        runner.Session.Run(_runOptions, [runner.Session.InputNames[0]], [runner.Input], [runner.Session.OutputNames[0]], [runner.Output]);
    }
}

public class DigitsMlpBenchmarks : DigitsBenchmarks
{
    protected override DigitsModel Model => DigitsModel.Mlp;
}

public class DigitsCnnBenchmarks : DigitsBenchmarks
{
    protected override DigitsModel Model => DigitsModel.Cnn;
}

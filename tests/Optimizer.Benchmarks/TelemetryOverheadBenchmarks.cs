using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Optimizer.Runtime;
using Optimizer.Runtime.Telemetry;
using Optimizer.Runtime.Tests;

namespace Optimizer.Benchmarks;

/// <summary>
/// What the <c>Optimizer.Runtime</c> meter and activity source cost per <c>Run(input, output)</c> of the
/// digits MLP (batch 1, µs-scale), on ONNX Runtime and on the compiled kernels: with the
/// instrumentation's checks removed (the baseline), with no listener attached (what every app pays;
/// issue 17 allows 2%), and with a <see cref="MeterListener"/> recording every instrument (the input
/// carries a calibrated range, so the out-of-range count runs too).
/// </summary>
/// <remarks>30 iterations and the median: a difference of a few nanoseconds needs more than the project's 10 on a shared machine.</remarks>
[MemoryDiagnoser]
[MedianColumn]
[IterationCount(30)]
public class TelemetryOverheadBenchmarks
{
    public enum Telemetry
    {
        Removed,
        NoListener,
        Listening,
    }

    private static readonly Dictionary<ExecutionPathKind, (CompiledDigitsMlp, CompiledDigitsMlp.Input, CompiledDigitsMlp.Output)> Shared = [];

    private CompiledDigitsMlp _model = null!;
    private CompiledDigitsMlp.Input _input = null!;
    private CompiledDigitsMlp.Output _output = null!;
    private MeterListener? _listener;
    private double _recorded;

    [Params(ExecutionPathKind.OnnxRuntime, ExecutionPathKind.Compiled)]
    public ExecutionPathKind Path { get; set; }

    [Params(Telemetry.Removed, Telemetry.NoListener, Telemetry.Listening)]
    public Telemetry Case { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string model = System.IO.Path.Combine(DigitsVariants.DataFolder ?? throw new InvalidOperationException("../shared/data is absent"), "models", "digits_mlp.onnx");
        // One instance, input and output per path for all three cases (the benchmarks run in one process):
        // a new instance per case lands its buffers at other addresses, which moves a µs-scale run by
        // more than the checks under test cost.
        (_model, _input, _output) = Shared.TryGetValue(Path, out var shared) ? shared : Shared[Path] = (
            CompiledDigitsMlp.Create(model, new ModelOptions { Path = Path }, name: "Benchmarks.DigitsMlp", inputRange: new ValueRange(0, 1)),
            new CompiledDigitsMlp.Input(new ModelTensor<float>(DigitsVariants.TestImages(1), 1, 1, 8, 8)),
            new CompiledDigitsMlp.Output(ModelTensor<float>.Zeros(1, 10)));
        RuntimeInstruments.Instrumented = Case != Telemetry.Removed;
        if (Case == Telemetry.Listening)
        {
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == OptimizerTelemetry.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<double>((_, value, _, _) => _recorded += value);
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _recorded += value);
            _listener.Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener?.Dispose();
        _listener = null;
        RuntimeInstruments.Instrumented = true;
    }

    [Benchmark(Description = "Run(input, output)")]
    public void Run() => _model.Run(_input, _output);
}

using BenchmarkDotNet.Attributes;
using Optimizer.Runtime;
using Optimizer.Runtime.Tests;

namespace Optimizer.Benchmarks;

/// <summary>
/// Allocated bytes per generated <c>Run</c> on the digits MLP (batch 1): <c>Run(input)</c>, which
/// returns new output tensors, against <c>Run(input, output)</c>, which writes into the caller's
/// tensors bound once, on ONNX Runtime and on the compiled kernels. The class is the generator's
/// shape written by hand (tests/Optimizer.Runtime.Tests/CompiledDigitsMlp.cs, linked).
/// </summary>
[MemoryDiagnoser]
public class RunAllocationBenchmarks
{
    private CompiledDigitsMlp _model = null!;
    private CompiledDigitsMlp.Input _input = null!;
    private CompiledDigitsMlp.Output _output = null!;

    [Params(ExecutionPathKind.OnnxRuntime, ExecutionPathKind.Compiled)]
    public ExecutionPathKind Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string model = System.IO.Path.Combine(DigitsVariants.DataFolder ?? throw new InvalidOperationException("../shared/data is absent"), "models", "digits_mlp.onnx");
        _model = CompiledDigitsMlp.Create(model, new ModelOptions { Path = Path });
        _input = new CompiledDigitsMlp.Input(new ModelTensor<float>(DigitsVariants.TestImages(1), 1, 1, 8, 8));
        _output = new CompiledDigitsMlp.Output(ModelTensor<float>.Zeros(1, 10));
        if (_model.ExecutionPath.Kind != Path)
        {
            throw new InvalidOperationException($"Asked for {Path}, got {_model.ExecutionPath}: {_model.FallbackReason}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Baseline = true, Description = "Run(input)")]
    public object RunReturningOutput() => _model.Run(_input);

    [Benchmark(Description = "Run(input, output)")]
    public void RunIntoOutput() => _model.Run(_input, _output);
}

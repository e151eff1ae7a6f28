using BenchmarkDotNet.Attributes;
using Optimizer.Runtime;
using Optimizer.Runtime.Tests;

namespace Optimizer.Benchmarks;

/// <summary>
/// The digits MLP's generated class with the default options (<c>Path = Auto</c>), batch 1, as it ran
/// before the build recorded its timing (ONNX Runtime first) and as it runs when the build timed the
/// compiled kernels faster on this CPU's kernel paths (<c>ModelMetadata.AutoPath</c>, what the engine
/// writes for digits_mlp). The class is the generator's shape written by hand (CompiledDigitsMlp, linked).
/// </summary>
public class AutoPathBenchmarks
{
    private CompiledDigitsMlp _model = null!;
    private CompiledDigitsMlp.Input _input = null!;
    private CompiledDigitsMlp.Output _output = null!;

    /// <summary>False: no build decision (before); true: the build's decision for this machine (after).</summary>
    [Params(false, true)]
    public bool BuildTimedCompiledFaster { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string model = System.IO.Path.Combine(DigitsVariants.DataFolder ?? throw new InvalidOperationException("../shared/data is absent"), "models", "digits_mlp.onnx");
        var choice = BuildTimedCompiledFaster ? new AutoPathChoice(AutoPathChoice.CurrentMachine, "[1,1,8,8]", null) : null;
        _model = CompiledDigitsMlp.Create(model, null, autoPath: choice);
        _input = new CompiledDigitsMlp.Input(new ModelTensor<float>(DigitsVariants.TestImages(1), 1, 1, 8, 8));
        _output = new CompiledDigitsMlp.Output(ModelTensor<float>.Zeros(1, 10));
        Console.WriteLine($"// Auto, build decision {BuildTimedCompiledFaster}: {_model.ExecutionPath} ({_model.ExecutionPath.Reason})");
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Description = "Auto: Run(input, output)")]
    public void Run() => _model.Run(_input, _output);
}

using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// Which path a model instance takes, with real ONNX Runtime sessions (the CPU-only package this
/// repository references) and a real kernel program compiled from digits_mlp.onnx.
/// </summary>
public class ExecutionPathTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static CompiledDigitsMlp Mlp(ModelOptions? options, bool withProgram = true) => CompiledDigitsMlp.Create(SharedData.PathOf("models/digits_mlp.onnx"), options, withProgram);

    [ConditionalFact("data")]
    public void Cuda_requested_with_the_cpu_only_package_really_fails_to_start_and_the_cpu_runs()
    {
        using var model = Mlp(new ModelOptions { Target = ExecutionTarget.Cuda, Path = ExecutionPathKind.OnnxRuntime });

        output.WriteLine($"{model.ExecutionPath}; fallback: {model.FallbackReason}");
        Assert.Equal(new ExecutionPath(ExecutionPathKind.OnnxRuntime, "CPUExecutionProvider", null), model.ExecutionPath);
        // ONNX Runtime itself refused the provider (its library is not in the CPU package): no fake session.
        Assert.Contains("Cuda: CUDAExecutionProvider failed to start (", model.FallbackReason);
        Assert.Contains("this ONNX Runtime build has no CUDAExecutionProvider", model.FallbackReason);
        Assert.EndsWith("running on the CPU.", model.FallbackReason);
        Assert.Equal(10, model.Run(ModelTensor<float>.Zeros(1, 1, 8, 8)).Length);
    }

    [ConditionalFact("data")]
    public void Auto_runs_onnx_runtime_when_it_loads_even_with_a_program_embedded()
    {
        using var model = Mlp(null);

        Assert.Equal("OnnxRuntime(CPUExecutionProvider)", model.ExecutionPath.ToString());
        Assert.Null(model.FallbackReason);
    }

    [ConditionalFact("data")]
    public void Auto_runs_the_compiled_kernels_first_when_the_build_timed_them_faster_on_this_cpus_kernel_paths()
    {
        using var here = CompiledDigitsMlp.Create(SharedData.PathOf("models/digits_mlp.onnx"), null, autoPath: new AutoPathChoice(AutoPathChoice.CurrentMachine, "[1,1,8,8]", null));
        using var elsewhere = CompiledDigitsMlp.Create(SharedData.PathOf("models/digits_mlp.onnx"), null, autoPath: new AutoPathChoice("AVX2+FMA; fp32 gemm: Scalar, int8 gemm: Scalar, elementwise: Scalar", "[1,1,8,8]", null));
        output.WriteLine($"{here.ExecutionPath}: {here.ExecutionPath.Reason}");
        output.WriteLine($"{elsewhere.ExecutionPath}: {elsewhere.ExecutionPath.Reason}");

        Assert.Equal(ExecutionPathKind.Compiled, here.ExecutionPath.Kind);
        Assert.StartsWith("the build timed the compiled kernels faster than ONNX Runtime (one thread each)", here.ExecutionPath.Reason);
        Assert.Null(here.FallbackReason);
        Assert.Equal("OnnxRuntime(CPUExecutionProvider)", elsewhere.ExecutionPath.ToString());
        Assert.Equal("ONNX Runtime on the CPU", elsewhere.ExecutionPath.Reason);
        var input = ModelTensor<float>.Zeros(1, 1, 8, 8);
        Assert.Equal(elsewhere.Run(input).ArgMaxLastAxis(), here.Run(input).ArgMaxLastAxis());
    }

    [ConditionalFact("data")]
    public void Path_compiled_runs_the_kernels_and_gives_the_onnx_runtime_logits()
    {
        float[] images = SharedData.ReadFloats("digits/digits_test_x_450x64.f32");
        byte[] labels = File.ReadAllBytes(SharedData.PathOf("digits/digits_test_y_450.u8"));
        using var ort = Mlp(new ModelOptions { Path = ExecutionPathKind.OnnxRuntime });
        using var compiled = Mlp(new ModelOptions { Path = ExecutionPathKind.Compiled });

        var expected = ort.Run(new ModelTensor<float>(images, 450, 1, 8, 8));
        var actual = compiled.Run(new ModelTensor<float>(images, 450, 1, 8, 8));
        var one = compiled.Run(new ModelTensor<float>(images.AsMemory(0, 64), 1, 1, 8, 8));

        Assert.Equal(ExecutionPathKind.Compiled, compiled.ExecutionPath.Kind);
        Assert.Equal($"Compiled(interpreter; {Optimizer.Runtime.Compiled.KernelDispatch.Current})", compiled.ExecutionPath.ToString());
        Assert.Equal("Compiled", compiled.ExecutionProvider);
        Assert.Null(compiled.FallbackReason);
        Assert.Equal(new[] { 450, 10 }, actual.Shape.ToArray());
        Assert.True(expected.Span.ToArray().Zip(actual.Span.ToArray(), (e, a) => Math.Abs(e - a)).Max() <= 1e-3f);
        // Batch 1 runs the 1-row GEMV kernel, batch 450 the register tiles: the same sums in another order.
        Assert.True(actual.Span[..10].ToArray().Zip(one.Span.ToArray(), (b, o) => Math.Abs(b - o)).Max() <= 1e-4f);
        Assert.Equal(expected.ArgMaxLastAxis(), actual.ArgMaxLastAxis());
        Assert.Equal(0.971, (double)actual.ArgMaxLastAxis().Where((d, i) => d == labels[i]).Count() / labels.Length, 3);
    }

    [ConditionalFact("data")]
    public void Path_compiled_without_a_program_falls_back_to_onnx_runtime_when_allowed_and_says_why()
    {
        using var model = Mlp(new ModelOptions { Path = ExecutionPathKind.Compiled, AllowFallback = true }, withProgram: false);

        Assert.Equal(ExecutionPathKind.OnnxRuntime, model.ExecutionPath.Kind);
        Assert.StartsWith("Compiled: the build embedded no compiled kernels", model.FallbackReason);
    }

    [ConditionalTheory("data")]
    [InlineData(false)]
    [InlineData(null)]
    public void Path_compiled_without_a_program_throws_what_to_do_unless_fallback_is_allowed(bool? allowFallback)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Mlp(new ModelOptions { Path = ExecutionPathKind.Compiled, AllowFallback = allowFallback }, withProgram: false));

        Assert.Contains("cannot run on the compiled kernels", ex.Message);
        Assert.Contains("AllowFallback", ex.Message);
    }

    [ConditionalFact("data")]
    public void Concurrent_compiled_calls_give_the_same_results()
    {
        float[] images = SharedData.ReadFloats("digits/digits_test_x_450x64.f32");
        using var model = Mlp(new ModelOptions { Path = ExecutionPathKind.Compiled });
        float[] expected = model.Run(new ModelTensor<float>(images.AsMemory(0, 8 * 64), 8, 1, 8, 8)).Span.ToArray();

        var results = new float[16][];
        Parallel.For(0, results.Length, i => results[i] = model.Run(new ModelTensor<float>(images.AsMemory(0, 8 * 64), 8, 1, 8, 8)).Span.ToArray());

        Assert.All(results, r => Assert.Equal(expected, r));
    }
}

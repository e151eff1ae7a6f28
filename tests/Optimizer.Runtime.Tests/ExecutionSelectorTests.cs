namespace Optimizer.Runtime.Tests;

/// <summary>The path selection as a pure function of (providers, OS, CPU features, program, options).</summary>
public class ExecutionSelectorTests
{
    private static readonly CpuFeatures Avx2Machine = TestCpus.X64Avx2;
    private static readonly CpuFeatures NoSimd = TestCpus.NoSimd;
    private static readonly string[] CpuOnly = ["AzureExecutionProvider", "CPUExecutionProvider"];
    private static readonly string[] WithCuda = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"];
    private static readonly string[] WithDml = ["DmlExecutionProvider", "CPUExecutionProvider"];
    private static readonly string[] WithCoreMl = ["CoreMLExecutionProvider", "CPUExecutionProvider"];

    private static ExecutionEnvironment Env(string[]? providers, OperatingSystemKind os = OperatingSystemKind.Linux, bool program = false, CpuFeatures? cpu = null) =>
        new(providers, providers is null ? "ONNX Runtime's native library could not be loaded (DllNotFoundException: onnxruntime)" : null, os, cpu ?? Avx2Machine, program);

    private static string[] Order(ExecutionPlan plan) =>
        plan.Candidates.Select(c => c.Kind == ExecutionPathKind.Compiled ? "Compiled" : c.Provider!).ToArray();

    [Fact]
    public void Default_options_run_on_the_ort_cpu_provider_then_the_compiled_kernels()
    {
        var plan = ExecutionSelector.Select(Env(CpuOnly, program: true), new ModelOptions());

        Assert.Equal(["CPUExecutionProvider", "Compiled"], Order(plan));
        Assert.Empty(plan.LeftOut);
    }

    [Fact]
    public void Without_a_program_the_compiled_kernels_are_left_out_with_the_reason()
    {
        var plan = ExecutionSelector.Select(Env(CpuOnly), new ModelOptions());

        Assert.Equal(["CPUExecutionProvider"], Order(plan));
        Assert.Contains(plan.LeftOut, r => r.StartsWith("Compiled: the build embedded no compiled kernels", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_onnx_runtime_the_compiled_kernels_run()
    {
        var plan = ExecutionSelector.Select(Env(null, program: true), new ModelOptions());

        Assert.Equal(["Compiled"], Order(plan));
        Assert.Contains("ONNX Runtime is not available", plan.Candidates[0].Reason);
        Assert.Contains(plan.LeftOut, r => r.StartsWith("Cpu: ONNX Runtime's native library could not be loaded", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_onnx_runtime_or_a_program_nothing_can_run()
    {
        var options = new ModelOptions();
        var plan = ExecutionSelector.Select(Env(null), options);

        Assert.Empty(plan.Candidates);
        string message = ExecutionSelector.DescribeFailure("M", options, plan, []);
        Assert.Contains("native library could not be loaded", message);
        Assert.Contains("cannot run on ONNX Runtime", message);
        Assert.Contains("Ship ONNX Runtime's native library with the app", message);
    }

    [Theory]
    [InlineData("Linux", new[] { "CUDAExecutionProvider", "CPUExecutionProvider" })]
    [InlineData("Windows", new[] { "CUDAExecutionProvider", "CPUExecutionProvider" })]
    [InlineData("MacOS", new[] { "CPUExecutionProvider" })]
    public void Auto_takes_cuda_where_the_build_has_it_and_the_os_allows_it(string os, string[] expected)
    {
        var plan = ExecutionSelector.Select(Env(WithCuda, Enum.Parse<OperatingSystemKind>(os)), new ModelOptions { Target = ExecutionTarget.Auto, Path = ExecutionPathKind.OnnxRuntime });

        Assert.Equal(expected, Order(plan));
    }

    [Fact]
    public void Auto_takes_directml_on_windows_only()
    {
        var options = new ModelOptions { Target = ExecutionTarget.Auto };

        Assert.Equal(["DmlExecutionProvider", "CPUExecutionProvider"], Order(ExecutionSelector.Select(Env(WithDml, OperatingSystemKind.Windows), options)));
        var linux = ExecutionSelector.Select(Env(WithDml, OperatingSystemKind.Linux), options);
        Assert.Equal(["CPUExecutionProvider"], Order(linux));
        Assert.Contains("DirectML: DirectML exists only on Windows, not Linux", linux.LeftOut);
    }

    [Fact]
    public void Auto_takes_coreml_on_apple_systems()
    {
        var options = new ModelOptions { Target = ExecutionTarget.Auto };

        Assert.Equal(["CoreMLExecutionProvider", "CPUExecutionProvider"], Order(ExecutionSelector.Select(Env(WithCoreMl, OperatingSystemKind.MacOS), options)));
        Assert.Equal(["CoreMLExecutionProvider", "CPUExecutionProvider"], Order(ExecutionSelector.Select(Env(WithCoreMl, OperatingSystemKind.IOS), options)));
        Assert.Equal(["CPUExecutionProvider"], Order(ExecutionSelector.Select(Env(WithCoreMl, OperatingSystemKind.Windows), options)));
    }

    [Fact]
    public void Auto_leaves_out_gpu_providers_the_build_lacks_and_says_so()
    {
        var options = new ModelOptions { Target = ExecutionTarget.Auto };
        var plan = ExecutionSelector.Select(Env(CpuOnly), options);

        Assert.Equal(["CPUExecutionProvider"], Order(plan));
        Assert.Contains("Cuda: this ONNX Runtime build has no CUDAExecutionProvider (it has AzureExecutionProvider, CPUExecutionProvider)", plan.LeftOut);
        string? reason = ExecutionSelector.DescribeFallback(options, plan, [], new ExecutionPath(ExecutionPathKind.OnnxRuntime, "CPUExecutionProvider", null));
        Assert.EndsWith("running on the CPU.", reason);
    }

    [Fact]
    public void An_explicit_provider_the_build_lacks_is_still_tried_so_onnx_runtime_says_why()
    {
        var plan = ExecutionSelector.Select(Env(CpuOnly), new ModelOptions { Target = ExecutionTarget.Cuda });

        Assert.Equal(["CUDAExecutionProvider", "CPUExecutionProvider"], Order(plan));
        Assert.Contains("this ONNX Runtime build has no CUDAExecutionProvider", plan.Candidates[0].Reason);
        Assert.Equal("fallback from Cuda", plan.Candidates[1].Reason);
    }

    [Fact]
    public void Without_fallback_only_the_requested_provider_is_a_candidate()
    {
        var options = new ModelOptions { Target = ExecutionTarget.Cuda, AllowFallback = false };
        var plan = ExecutionSelector.Select(Env(WithCuda, program: true), options);

        Assert.Equal(["CUDAExecutionProvider"], Order(plan));
        string message = ExecutionSelector.DescribeFailure("M", options, plan, ["Cuda: CUDAExecutionProvider failed to start (libcudart.so.12: cannot open shared object file)"]);
        Assert.Contains("cannot run on Cuda", message);
        Assert.Contains("AllowFallback", message);
    }

    [Fact]
    public void Directml_requested_on_linux_is_left_out_for_the_os()
    {
        var plan = ExecutionSelector.Select(Env(CpuOnly), new ModelOptions { Target = ExecutionTarget.DirectML });

        Assert.Equal(["CPUExecutionProvider"], Order(plan));
        Assert.Contains("DirectML: DirectML exists only on Windows, not Linux", plan.LeftOut);
    }

    [Fact]
    public void Path_compiled_puts_the_kernels_first_and_notes_an_ignored_gpu_target()
    {
        var plan = ExecutionSelector.Select(Env(WithCuda, program: true), new ModelOptions { Path = ExecutionPathKind.Compiled, Target = ExecutionTarget.Cuda, AllowFallback = true });

        Assert.Equal(["Compiled", "CPUExecutionProvider"], Order(plan));
        Assert.Contains(plan.LeftOut, r => r.StartsWith("Cuda: not used, the compiled kernels run on the CPU", StringComparison.Ordinal));
    }

    [Fact]
    public void Path_compiled_without_a_program_falls_back_to_onnx_runtime_only_when_allowed_and_says_why()
    {
        var options = new ModelOptions { Path = ExecutionPathKind.Compiled, AllowFallback = true };
        var plan = ExecutionSelector.Select(Env(CpuOnly), options);

        Assert.Equal(["CPUExecutionProvider"], Order(plan));
        string? reason = ExecutionSelector.DescribeFallback(options, plan, [], new ExecutionPath(ExecutionPathKind.OnnxRuntime, "CPUExecutionProvider", null));
        Assert.StartsWith("Compiled: the build embedded no compiled kernels", reason);
        Assert.EndsWith("running on the CPU.", reason);
    }

    [Fact]
    public void Path_compiled_without_a_program_by_default_names_the_operators_the_kernels_lack()
    {
        var options = new ModelOptions { Path = ExecutionPathKind.Compiled };
        var plan = ExecutionSelector.Select(Env(CpuOnly) with { NotCompiledOperators = ["Erf", "Slice"] }, options);

        Assert.Empty(plan.Candidates);
        string failure = ExecutionSelector.DescribeFailure("Encoder", options, plan, []);
        Assert.Contains("the kernel set lacks Erf, Slice", failure);
        Assert.Contains("AllowFallback = true", failure);
    }

    [Fact]
    public void Path_compiled_without_fallback_has_no_onnx_runtime_candidate()
    {
        var plan = ExecutionSelector.Select(Env(CpuOnly, program: true), new ModelOptions { Path = ExecutionPathKind.Compiled, AllowFallback = false });

        Assert.Equal(["Compiled"], Order(plan));
    }

    [Fact]
    public void Path_onnx_runtime_never_uses_the_compiled_kernels()
    {
        var plan = ExecutionSelector.Select(Env(CpuOnly, program: true), new ModelOptions { Path = ExecutionPathKind.OnnxRuntime });

        Assert.Equal(["CPUExecutionProvider"], Order(plan));
    }

    [Fact]
    public void The_compiled_candidate_names_the_cpu_features_or_warns_of_scalar_code()
    {
        var simd = ExecutionSelector.Select(Env(null, program: true), new ModelOptions());
        var scalar = ExecutionSelector.Select(Env(null, program: true, cpu: NoSimd), new ModelOptions());

        Assert.Contains("on AVX2+FMA", simd.Candidates[0].Reason);
        Assert.Contains("without SIMD on this CPU: scalar C#", scalar.Candidates[0].Reason);
    }

    [Fact]
    public void Running_where_asked_records_no_fallback()
    {
        var options = new ModelOptions();
        var compiled = new ModelOptions { Path = ExecutionPathKind.Compiled };

        Assert.Null(ExecutionSelector.DescribeFallback(options, ExecutionSelector.Select(Env(CpuOnly), options), [],
            new ExecutionPath(ExecutionPathKind.OnnxRuntime, "CPUExecutionProvider", null)));
        Assert.Null(ExecutionSelector.DescribeFallback(compiled, ExecutionSelector.Select(Env(null, program: true), compiled), [],
            new ExecutionPath(ExecutionPathKind.Compiled, null, "fp32 gemm: Avx2Fma")));
    }
}

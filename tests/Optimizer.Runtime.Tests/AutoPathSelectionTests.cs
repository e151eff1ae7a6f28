namespace Optimizer.Runtime.Tests;

/// <summary>
/// Path = Auto with the build's timing (<see cref="ModelMetadata.AutoPath"/>): the compiled kernels come
/// first only on a CPU with the build machine's kernel paths, and only for the variant that was timed.
/// </summary>
public class AutoPathSelectionTests
{
    private static readonly string[] CpuOnly = ["CPUExecutionProvider"];
    private static readonly string[] WithCuda = ["CUDAExecutionProvider", "CPUExecutionProvider"];

    /// <summary>What a build on an AVX2 machine records when the compiled kernels won.</summary>
    private static readonly AutoPathChoice BuiltOnAvx2 = new(AutoPathChoice.MachineOf(TestCpus.X64Avx2), "[1,64]", null);

    private static ExecutionEnvironment Env(AutoPathChoice? choice, CpuFeatures cpu, bool program = true, string[]? providers = null) =>
        new(providers ?? CpuOnly, null, OperatingSystemKind.Linux, cpu, program, null, choice);

    private static string[] Order(ExecutionPlan plan) =>
        plan.Candidates.Select(c => c.Kind == ExecutionPathKind.Compiled ? "Compiled" : c.Provider!).ToArray();

    [Fact]
    public void The_machine_summary_names_the_instruction_sets_and_the_kernel_paths()
    {
        Assert.Equal("AVX2+FMA; fp32 gemm: Avx2Fma, int8 gemm: Avx2, elementwise: Vector256", AutoPathChoice.MachineOf(TestCpus.X64Avx2));
        Assert.NotEqual(AutoPathChoice.MachineOf(TestCpus.X64Avx2), AutoPathChoice.MachineOf(TestCpus.X64Avx512Vnni));
    }

    [Fact]
    public void A_build_that_timed_the_compiled_kernels_faster_puts_them_first_on_the_same_kernel_paths()
    {
        var plan = ExecutionSelector.Select(Env(BuiltOnAvx2, TestCpus.X64Avx2), new ModelOptions());

        Assert.Equal(["Compiled", "CPUExecutionProvider"], Order(plan));
        Assert.Contains("the build timed the compiled kernels faster than ONNX Runtime", plan.Candidates[0].Reason);
        Assert.Contains("at [1,64]", plan.Candidates[0].Reason);
        Assert.Equal("fallback from the compiled kernels", plan.Candidates[1].Reason);
        Assert.Empty(plan.LeftOut);
    }

    [Fact]
    public void Without_the_builds_decision_onnx_runtime_stays_first()
    {
        var plan = ExecutionSelector.Select(Env(null, TestCpus.X64Avx2), new ModelOptions());

        Assert.Equal(["CPUExecutionProvider", "Compiled"], Order(plan));
        Assert.StartsWith("fallback from ONNX Runtime; compiled kernels on", plan.Candidates[1].Reason);
    }

    [Fact]
    public void On_a_cpu_with_other_kernel_paths_the_builds_timing_says_nothing()
    {
        var plan = ExecutionSelector.Select(Env(BuiltOnAvx2, TestCpus.X64Avx512Vnni), new ModelOptions());

        Assert.Equal(["CPUExecutionProvider", "Compiled"], Order(plan));
        Assert.Contains("on another CPU (AVX2+FMA; fp32 gemm: Avx2Fma", plan.Candidates[1].Reason);
        Assert.Contains("not on this one (AVX2+FMA+AVX-512F+AVX-VNNI;", plan.Candidates[1].Reason);
    }

    [Fact]
    public void Requesting_another_variant_than_the_timed_one_keeps_onnx_runtime_first()
    {
        var timedFp32 = BuiltOnAvx2 with { Variant = "fp32" };

        Assert.Equal(["Compiled", "CPUExecutionProvider"], Order(ExecutionSelector.Select(Env(timedFp32, TestCpus.X64Avx2), new ModelOptions { Variant = "FP32" })));
        var int8 = ExecutionSelector.Select(Env(timedFp32, TestCpus.X64Avx2), new ModelOptions { Variant = "int8" });
        Assert.Equal(["CPUExecutionProvider", "Compiled"], Order(int8));
        Assert.Contains("the build timed the compiled 'fp32' variant, not 'int8'", int8.Candidates[1].Reason);
    }

    [Fact]
    public void Forced_paths_ignore_the_builds_decision()
    {
        var env = Env(BuiltOnAvx2, TestCpus.X64Avx2);

        Assert.Equal(["CPUExecutionProvider"], Order(ExecutionSelector.Select(env, new ModelOptions { Path = ExecutionPathKind.OnnxRuntime })));
        Assert.Equal(["Compiled"], Order(ExecutionSelector.Select(env, new ModelOptions { Path = ExecutionPathKind.Compiled })));
    }

    [Fact]
    public void A_requested_gpu_still_comes_before_the_compiled_kernels()
    {
        var plan = ExecutionSelector.Select(Env(BuiltOnAvx2, TestCpus.X64Avx2, providers: WithCuda), new ModelOptions { Target = ExecutionTarget.Cuda });

        Assert.Equal(["CUDAExecutionProvider", "Compiled", "CPUExecutionProvider"], Order(plan));
        Assert.StartsWith("fallback from Cuda: the build timed", plan.Candidates[1].Reason);
    }

    [Fact]
    public void Without_an_embedded_program_the_decision_cannot_apply()
    {
        var plan = ExecutionSelector.Select(Env(BuiltOnAvx2, TestCpus.X64Avx2, program: false), new ModelOptions());

        Assert.Equal(["CPUExecutionProvider"], Order(plan));
    }

    [Fact]
    public void Without_onnx_runtime_the_compiled_kernels_run_either_way()
    {
        var env = new ExecutionEnvironment(null, "no native library", OperatingSystemKind.Linux, TestCpus.X64Avx2, true, null, BuiltOnAvx2);

        Assert.Equal(["Compiled"], Order(ExecutionSelector.Select(env, new ModelOptions())));
    }
}

namespace Optimizer.Runtime.Tests;

/// <summary>
/// Which compiled variant runs, for CPUs this machine may not be: a pure function of the variants,
/// the kernel paths KernelDispatch selects for the CPU's features, and ModelOptions.Variant.
/// </summary>
public class VariantSelectorTests
{
    private static readonly CompiledVariant Int8 = new("int8", "M.kernels", VariantSelector.Int8DotProduct, null);
    private static readonly CompiledVariant Fp32 = new("fp32", "M.fp32.kernels", null, null);

    private static CpuFeatures Cpu(bool avxVnni = false) => avxVnni ? TestCpus.X64Avx512Vnni : TestCpus.X64Avx2;

    [Theory]
    [InlineData(nameof(TestCpus.X64Avx512Vnni), "int8")] // vpdpbusd, measured faster than the Avx512F fp32 tiles on every model
    [InlineData(nameof(TestCpus.X64Avx512WithoutAvxVnni), "int8")] // zmm pairs, likewise
    [InlineData(nameof(TestCpus.Arm64Dp), "fp32")]       // Dp in hardware, but no Dp kernel yet: int8 would run scalar
    [InlineData(nameof(TestCpus.X64Avx2), "fp32")]       // AVX2 only: u8×s8 pairs through int16, fp32 is the fallback
    [InlineData(nameof(TestCpus.X64WithoutAvx2), "fp32")]
    [InlineData(nameof(TestCpus.NoSimd), "fp32")]
    public void Int8_where_the_int8_kernels_use_dot_products_else_fp32(string cpu, string expected)
    {
        var features = TestCpus.Named(cpu);
        var (variant, reason) = VariantSelector.Choose([Int8, Fp32], features, requested: null);

        Assert.Equal(expected, variant!.Name);
        Assert.Contains(features.ToString(), reason);
        Assert.Contains(Compiled.KernelDispatch.Select(features).ToString(), reason);
    }

    [Fact]
    public void The_requested_variant_wins_whatever_the_cpu()
    {
        Assert.Equal("int8", VariantSelector.Choose([Int8, Fp32], Cpu(), "INT8").Variant!.Name);
        Assert.Equal("fp32", VariantSelector.Choose([Int8, Fp32], Cpu(avxVnni: true), "fp32").Variant!.Name);
    }

    [Fact]
    public void A_requested_variant_that_is_not_embedded_says_which_are()
    {
        var (variant, reason) = VariantSelector.Choose([Int8, Fp32], Cpu(), "fp16");

        Assert.Null(variant);
        Assert.Equal("ModelOptions.Variant is 'fp16', but the build embedded int8, fp32", reason);
    }

    [Fact]
    public void An_unknown_requirement_is_never_assumed_met()
    {
        var future = new CompiledVariant("fp16", "M.fp16.kernels", "avx512-fp16", null);

        Assert.Equal("fp32", VariantSelector.Choose([future, Fp32], Cpu(avxVnni: true), null).Variant!.Name);
        Assert.Equal("fp16", VariantSelector.Choose([future], Cpu(), null).Variant!.Name); // the last is the fallback
    }
}

/// <summary>
/// The build's timing of the variants (ModelMetadata.VariantChoice) decides on a CPU with the build
/// machine's kernel paths, whatever the table says; elsewhere the table decides, and a requested
/// variant still wins.
/// </summary>
public class TimedVariantSelectorTests
{
    private static readonly CompiledVariant Int8 = new("int8", "M.kernels", VariantSelector.Int8DotProduct, null);
    private static readonly CompiledVariant Fp32 = new("fp32", "M.fp32.kernels", null, null);

    private static VariantChoice TimedOn(CpuFeatures cpu, string variant) => new(AutoPathChoice.MachineOf(cpu), "[1,1,8,8]", variant);

    [Theory]
    [InlineData(nameof(TestCpus.X64Avx512Vnni), "int8")]
    [InlineData(nameof(TestCpus.X64Avx512WithoutAvxVnni), "int8")]
    [InlineData(nameof(TestCpus.X64Avx2), "int8")]
    [InlineData(nameof(TestCpus.X64Avx512Vnni), "fp32")] // e.g. the OCR classifier: int8 timed slower
    public void On_the_build_machines_kernel_paths_the_timed_variant_runs(string cpu, string timed)
    {
        var features = TestCpus.Named(cpu);
        var (variant, reason) = VariantSelector.Choose([Int8, Fp32], features, requested: null, TimedOn(features, timed));

        Assert.Equal(timed, variant!.Name);
        Assert.Contains(AutoPathChoice.MachineOf(features), reason);
        Assert.Contains("at [1,1,8,8]", reason);
        Assert.StartsWith(timed == "int8" ? "the build timed int8 clearly faster than fp32" : "the build timed no variant clearly faster than fp32", reason);
    }

    [Fact]
    public void On_another_cpu_the_table_decides_and_says_the_timing_was_elsewhere()
    {
        var buildMachine = TestCpus.X64Avx512Vnni;
        var (variant, reason) = VariantSelector.Choose([Int8, Fp32], TestCpus.X64Avx2, requested: null, TimedOn(buildMachine, "int8"));

        Assert.Equal("fp32", variant!.Name); // the table's choice for AVX2 alone
        Assert.Contains($"the build timed the variants on another CPU: {AutoPathChoice.MachineOf(buildMachine)}", reason);
    }

    [Fact]
    public void A_requested_variant_wins_over_the_timing()
    {
        var cpu = TestCpus.X64Avx512Vnni;

        Assert.Equal(("fp32", "ModelOptions.Variant"), Named(VariantSelector.Choose([Int8, Fp32], cpu, "fp32", TimedOn(cpu, "int8"))));
        Assert.Equal(("int8", "ModelOptions.Variant"), Named(VariantSelector.Choose([Int8, Fp32], cpu, "int8", TimedOn(cpu, "fp32"))));
    }

    [Fact]
    public void A_timed_variant_that_is_not_embedded_leaves_the_choice_to_the_table()
    {
        var cpu = TestCpus.X64Avx512Vnni;

        Assert.Equal("int8", VariantSelector.Choose([Int8, Fp32], cpu, null, TimedOn(cpu, "fp16")).Variant!.Name); // the table's choice for AVX-512 with AVX-VNNI
        Assert.Equal("fp32", VariantSelector.Choose([Int8, Fp32], TestCpus.X64Avx2, null, TimedOn(TestCpus.X64Avx2, "fp16")).Variant!.Name); // and for AVX2 alone
    }

    private static (string?, string) Named((CompiledVariant? Variant, string Reason) choice) => (choice.Variant?.Name, choice.Reason);
}

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
    [InlineData(nameof(TestCpus.X64Avx512Vnni), "fp32")] // int8 not yet measured against the Avx512F fp32 tiles: the table keeps fp32 (its rule for a new fp32 path)
    [InlineData(nameof(TestCpus.X64Avx512WithoutAvxVnni), "fp32")] // likewise
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

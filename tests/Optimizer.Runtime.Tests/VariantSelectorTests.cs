namespace Optimizer.Runtime.Tests;

/// <summary>Which compiled variant runs, for CPUs this machine may not be: a pure function of the variants, the CPU's features and ModelOptions.Variant.</summary>
public class VariantSelectorTests
{
    private static readonly CompiledVariant Int8 = new("int8", "M.kernels", VariantSelector.Int8DotProduct, null);
    private static readonly CompiledVariant Fp32 = new("fp32", "M.fp32.kernels", null, null);

    private static CpuFeatures Cpu(bool avxVnni = false, bool armDp = false) =>
        new(Avx2: !armDp, Fma: !armDp, Avx512F: false, AvxVnni: avxVnni, AdvSimd: armDp, DotProduct: armDp, Vector128Accelerated: true);

    [Theory]
    [InlineData(true, false, "int8")]  // x86 with AVX-VNNI
    [InlineData(false, true, "int8")]  // Arm64 with Dp
    [InlineData(false, false, "fp32")] // AVX2 only: u8×s8 pairs through int16, fp32 is the fallback
    public void Int8_where_the_cpu_has_int8_dot_products_else_fp32(bool avxVnni, bool armDp, string expected)
    {
        var (variant, reason) = VariantSelector.Choose([Int8, Fp32], Cpu(avxVnni, armDp), requested: null);

        Assert.Equal(expected, variant!.Name);
        Assert.Contains(Cpu(avxVnni, armDp).ToString(), reason);
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

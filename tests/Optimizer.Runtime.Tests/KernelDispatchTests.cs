using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The kernel paths each CPU gets, from KernelDispatch's one table (which VariantSelector reads too;
/// the paths forced on this machine by the runtime's switches: Compiler.Tests' IsaPathTests).
/// </summary>
public class KernelDispatchTests
{
    [Theory]
    [InlineData(nameof(TestCpus.X64Avx512Vnni), KernelPath.Avx512F, KernelPath.AvxVnni, KernelPath.Vector512, true)] // int8 measured faster than the Avx512F fp32 tiles
    [InlineData(nameof(TestCpus.X64Avx512WithoutAvxVnni), KernelPath.Avx512F, KernelPath.Avx512BW, KernelPath.Vector512, true)]
    [InlineData(nameof(TestCpus.X64Avx2), KernelPath.Avx2Fma, KernelPath.Avx2, KernelPath.Vector256, false)]
    [InlineData(nameof(TestCpus.X64WithoutAvx2), KernelPath.Vector128, KernelPath.Scalar, KernelPath.Vector128, false)]
    [InlineData(nameof(TestCpus.Arm64Dp), KernelPath.AdvSimd, KernelPath.Scalar, KernelPath.Vector128, false)] // no Dp kernel yet
    [InlineData(nameof(TestCpus.NoSimd), KernelPath.Scalar, KernelPath.Scalar, KernelPath.Scalar, false)]
    public void Each_cpu_gets_its_kernel_paths(string cpu, KernelPath fp32Gemm, KernelPath int8Gemm, KernelPath elementwise, bool int8DotProduct)
    {
        var isa = KernelDispatch.Select(TestCpus.Named(cpu));

        Assert.Equal(new KernelIsa(fp32Gemm, int8Gemm, elementwise), isa);
        Assert.Equal(int8DotProduct, isa.Int8DotProduct);
    }

    [Fact]
    public void This_process_runs_the_paths_its_own_features_select()
    {
        Assert.Equal(KernelDispatch.Select(CpuFeatures.Detect()), KernelDispatch.Current);
    }

    [Fact]
    public void Compiled_kernels_are_vectorized_exactly_where_the_fp32_gemm_is_not_scalar()
    {
        Assert.True(TestCpus.Arm64Dp.HasSimd);
        Assert.True(TestCpus.X64WithoutAvx2.HasSimd);
        Assert.False(TestCpus.NoSimd.HasSimd);
    }
}

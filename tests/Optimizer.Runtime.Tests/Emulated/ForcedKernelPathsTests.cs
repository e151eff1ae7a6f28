using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests.Emulated;

/// <summary>The test hook itself: a forced table holds for its scope only, and VBMI is a feature of its own in it.</summary>
[Collection(ForcedKernelPaths.Name)]
public sealed class ForcedKernelPathsTests
{
    [Fact]
    public void A_forced_table_lasts_until_its_scope_ends()
    {
        var detected = KernelDispatch.Current;
        using (ForcedKernelPaths.As(nameof(ForcedKernelPaths.Zen4)))
        {
            Assert.Equal(new KernelIsa(KernelPath.Avx512F, KernelPath.Avx512BW, KernelPath.Vector512) { Avx512Vbmi = true }, KernelDispatch.Current);
            using (ForcedKernelPaths.As(nameof(ForcedKernelPaths.Zen5)))
            {
                Assert.Equal(KernelPath.AvxVnni, KernelDispatch.Current.Int8Gemm);
            }

            Assert.Equal(KernelPath.Avx512BW, KernelDispatch.Current.Int8Gemm);
        }

        Assert.Same(detected, KernelDispatch.Current);
        Assert.Equal(KernelDispatch.Select(CpuFeatures.Detect()), detected);
    }

    [Fact]
    public void Byte_shuffles_need_vbmi_apart_from_the_gemm_paths()
    {
        var withoutVbmi = KernelDispatch.Select(ForcedKernelPaths.Zen4 with { Avx512Vbmi = false });
        Assert.False(withoutVbmi.Avx512Vbmi);
        Assert.Equal(KernelPath.Avx512F, withoutVbmi.Fp32Gemm);
        Assert.True(KernelDispatch.Select(ForcedKernelPaths.Zen4).Avx512Vbmi);
    }
}

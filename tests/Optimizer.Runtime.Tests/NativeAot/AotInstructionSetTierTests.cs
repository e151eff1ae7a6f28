using System.Runtime.Intrinsics.X86;
using Optimizer.Runtime.NativeAot;
using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests.NativeAot;

/// <summary>
/// The level a NativeAOT app starts is decided from CPUID and the OS; under the JIT the same
/// machine's answer is what .NET's own IsSupported flags say, so the two must agree here.
/// </summary>
public sealed class AotInstructionSetTierTests
{
    [ConditionalFact(Needs.X64DefaultIsa)]
    public void Cpuid_bits_agree_with_what_the_jit_reports_for_this_cpu()
    {
        Assert.Equal(Avx.IsSupported, CpuLevelProbe.Has(CpuidBit.Avx));
        Assert.Equal(Fma.IsSupported, CpuLevelProbe.Has(CpuidBit.Fma));
        Assert.Equal(Avx2.IsSupported, CpuLevelProbe.Has(CpuidBit.Avx2));
        Assert.Equal(Bmi1.IsSupported, CpuLevelProbe.Has(CpuidBit.Bmi1));
        Assert.Equal(Bmi2.IsSupported, CpuLevelProbe.Has(CpuidBit.Bmi2));
        Assert.Equal(Lzcnt.IsSupported, CpuLevelProbe.Has(CpuidBit.Lzcnt));
        Assert.Equal(Avx512F.IsSupported, CpuLevelProbe.Has(CpuidBit.Avx512F));
        Assert.Equal(Avx512BW.IsSupported, CpuLevelProbe.Has(CpuidBit.Avx512Bw));
        Assert.Equal(Avx512DQ.IsSupported, CpuLevelProbe.Has(CpuidBit.Avx512Dq));
        Assert.Equal(Avx512CD.IsSupported, CpuLevelProbe.Has(CpuidBit.Avx512Cd));
    }

    [ConditionalFact(Needs.X64DefaultIsa | Needs.Linux)]
    public void The_best_level_is_the_widest_this_machine_runs_under_the_jit()
    {
        var expected = Avx512F.IsSupported && Avx512BW.IsSupported && Avx512CD.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported
            ? "x86-64-v4"
            : Avx2.IsSupported && Fma.IsSupported && Bmi2.IsSupported && Lzcnt.IsSupported ? "x86-64-v3" : null;
        Assert.Equal(expected, CpuLevelProbe.Best(AotInstructionSetTier.BestFirst)?.Name);

        // Only the levels whose binaries exist are offered: without v4 the answer falls to v3.
        var withoutV4 = AotInstructionSetTier.BestFirst.Where(t => t.Name != "x86-64-v4");
        Assert.Equal(expected is null ? null : "x86-64-v3", CpuLevelProbe.Best(withoutV4)?.Name);
        Assert.Null(CpuLevelProbe.Best([]));
    }

    [Fact]
    public void Levels_are_listed_best_first_and_each_needs_what_the_next_needs()
    {
        var levels = AotInstructionSetTier.BestFirst;
        Assert.Equal(["x86-64-v4", "x86-64-v3"], levels.Select(t => t.Name));
        for (var i = 0; i + 1 < levels.Count; i++)
        {
            Assert.Superset(levels[i + 1].Cpuid.ToHashSet(), levels[i].Cpuid.ToHashSet());
        }
    }

    [Theory]
    [InlineData("/app/publish/AotApp", "x86-64-v4", "/app/publish/AotApp.x86-64-v4")]
    [InlineData("/app/publish/My.App", "x86-64-v3", "/app/publish/My.App.x86-64-v3")]
    [InlineData("/app/publish/App.exe", "x86-64-v4", "/app/publish/App.x86-64-v4.exe")]
    public void A_level_binary_sits_beside_the_baseline_with_the_level_in_its_name(string baseline, string level, string expected)
    {
        Assert.Equal(expected, AotTierLauncher.BinaryFor(baseline, level));
    }

    [Fact]
    public void Under_the_jit_the_launcher_does_nothing()
    {
        // The module initializer already ran for this assembly; calling it again must return at once.
        AotTierLauncher.StartBestTier();
        Assert.True(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported);
    }
}

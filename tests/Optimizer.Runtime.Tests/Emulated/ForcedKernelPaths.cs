using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests.Emulated;

/// <summary>
/// Tests that force <see cref="KernelDispatch"/>'s table to another CPU's (<see cref="KernelDispatch.ForTests"/>):
/// the table is process-wide, so they run with no other test beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ForcedKernelPaths
{
    public const string Name = "Forced kernel paths";

    /// <summary>The AVX-512 CPUs issue 15 is judged on, as .NET would report them.</summary>
    public static TheoryData<string> Avx512Cpus => [nameof(Zen4), nameof(Zen5)];

    /// <summary>Zen 4: AVX-512F/BW/VBMI (and AVX512-VNNI, which .NET 10 has no API for), no AVX-VNNI: int8 on the Avx512BW path.</summary>
    internal static readonly CpuFeatures Zen4 = TestCpus.X64Avx512WithoutAvxVnni with { Avx512Vbmi = true };

    /// <summary>Zen 5: Zen 4's features and AVX-VNNI: int8 on the AvxVnni path.</summary>
    internal static readonly CpuFeatures Zen5 = TestCpus.X64Avx512Vnni with { Avx512Vbmi = true };

    /// <summary>
    /// The kernels run the table <see cref="KernelDispatch.Select"/> makes for the CPU named (the
    /// real table: what that CPU would run) until disposed; instructions this CPU lacks run in software.
    /// </summary>
    public static IDisposable As(string cpu) => KernelDispatch.ForTests(KernelDispatch.Select(cpu switch
    {
        nameof(Zen4) => Zen4,
        nameof(Zen5) => Zen5,
        _ => throw new ArgumentOutOfRangeException(nameof(cpu), cpu, "no such CPU"),
    }));
}

namespace Optimizer.Runtime.NativeAot;

/// <summary>
/// An x64 microarchitecture level a NativeAOT app can also be compiled for (ILC's
/// <c>--instruction-set</c>), beside the baseline binary that runs everywhere.
/// </summary>
/// <param name="Name">ILC's name for the level; also the suffix of the binary: <c>App.x86-64-v4</c>.</param>
/// <param name="Cpuid">The CPUID feature bits the level needs, as NativeAOT's start-up check reads them.</param>
/// <param name="OsEnabled">The register state the operating system must save for it: 256-bit (AVX) or 512-bit (AVX-512).</param>
internal sealed record AotInstructionSetTier(string Name, CpuidBit[] Cpuid, VectorState OsEnabled)
{
    private static readonly CpuidBit[] V3 =
    [
        CpuidBit.Avx, CpuidBit.Fma, CpuidBit.F16c, CpuidBit.Movbe, CpuidBit.Avx2, CpuidBit.Bmi1, CpuidBit.Bmi2, CpuidBit.Lzcnt,
    ];

    /// <summary>
    /// Why more than one binary: .NET 10's NativeAOT compiler uses AVX2 and AVX-512 only when they
    /// are in the binary's baseline (its opportunistic set covers SSE4.2-era extensions, and
    /// AVX-VNNI and FMA only once AVX2 is in the baseline), and a binary whose baseline the CPU
    /// lacks stops at start-up. So the kernels' 256/512-bit paths need binaries of their own, best
    /// first. The build's default list (<c>$(OptimizerAotInstructionSets)</c>) names these levels.
    /// </summary>
    public static IReadOnlyList<AotInstructionSetTier> BestFirst { get; } =
    [
        new("x86-64-v4", [.. V3, CpuidBit.Avx512F, CpuidBit.Avx512Dq, CpuidBit.Avx512Cd, CpuidBit.Avx512Bw, CpuidBit.Avx512Vl], VectorState.Zmm),
        new("x86-64-v3", V3, VectorState.Ymm),
    ];
}

/// <summary>Register state the OS saves on a context switch; without it the instructions fault.</summary>
internal enum VectorState { Ymm, Zmm }

/// <summary>A CPUID feature bit: leaf, register and bit (Intel SDM vol. 2A, CPUID).</summary>
internal readonly record struct CpuidBit(int Leaf, int SubLeaf, CpuidRegister Register, int Bit)
{
    public static readonly CpuidBit Fma = new(1, 0, CpuidRegister.Ecx, 12);
    public static readonly CpuidBit Movbe = new(1, 0, CpuidRegister.Ecx, 22);
    public static readonly CpuidBit Avx = new(1, 0, CpuidRegister.Ecx, 28);
    public static readonly CpuidBit F16c = new(1, 0, CpuidRegister.Ecx, 29);
    public static readonly CpuidBit Bmi1 = new(7, 0, CpuidRegister.Ebx, 3);
    public static readonly CpuidBit Avx2 = new(7, 0, CpuidRegister.Ebx, 5);
    public static readonly CpuidBit Bmi2 = new(7, 0, CpuidRegister.Ebx, 8);
    public static readonly CpuidBit Avx512F = new(7, 0, CpuidRegister.Ebx, 16);
    public static readonly CpuidBit Avx512Dq = new(7, 0, CpuidRegister.Ebx, 17);
    public static readonly CpuidBit Avx512Cd = new(7, 0, CpuidRegister.Ebx, 28);
    public static readonly CpuidBit Avx512Bw = new(7, 0, CpuidRegister.Ebx, 30);
    public static readonly CpuidBit Avx512Vl = new(7, 0, CpuidRegister.Ebx, 31);
    public static readonly CpuidBit Lzcnt = new(unchecked((int)0x80000001), 0, CpuidRegister.Ecx, 5);
}

/// <summary>The CPUID output register a feature bit is in.</summary>
internal enum CpuidRegister { Ebx, Ecx }

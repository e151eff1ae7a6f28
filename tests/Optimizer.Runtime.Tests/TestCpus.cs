namespace Optimizer.Runtime.Tests;

/// <summary>CPUs this machine may not be, as .NET would report their features, for the pure selection functions.</summary>
internal static class TestCpus
{
    public static readonly CpuFeatures X64Avx512Vnni = new(Avx2: true, Fma: true, Avx512F: true, AvxVnni: true, AdvSimd: false, DotProduct: false,
        Vector128Accelerated: true, Vector256Accelerated: true, Vector512Accelerated: true, Avx512BW: true);

    /// <summary>Zen 4: AVX-512 (AVX512-VNNI too, which .NET 10 has no API for) but no AVX-VNNI.</summary>
    public static readonly CpuFeatures X64Avx512WithoutAvxVnni = new(Avx2: true, Fma: true, Avx512F: true, AvxVnni: false, AdvSimd: false, DotProduct: false,
        Vector128Accelerated: true, Vector256Accelerated: true, Vector512Accelerated: true, Avx512BW: true);

    public static readonly CpuFeatures X64Avx2 = new(Avx2: true, Fma: true, Avx512F: false, AvxVnni: false, AdvSimd: false, DotProduct: false,
        Vector128Accelerated: true, Vector256Accelerated: true, Vector512Accelerated: false);

    /// <summary>An AVX-VNNI CPU with <c>DOTNET_EnableAVX2=0</c>: .NET then reports neither AVX2 nor AVX-VNNI, nor 256-bit vectors.</summary>
    public static readonly CpuFeatures X64WithoutAvx2 = new(Avx2: false, Fma: true, Avx512F: false, AvxVnni: false, AdvSimd: false, DotProduct: false,
        Vector128Accelerated: true, Vector256Accelerated: false, Vector512Accelerated: false);

    public static readonly CpuFeatures Arm64Dp = new(Avx2: false, Fma: false, Avx512F: false, AvxVnni: false, AdvSimd: true, DotProduct: true,
        Vector128Accelerated: true, Vector256Accelerated: false, Vector512Accelerated: false);

    public static readonly CpuFeatures NoSimd = new(false, false, false, false, false, false, false, false, false);

    public static CpuFeatures Named(string name) => name switch
    {
        nameof(X64Avx512Vnni) => X64Avx512Vnni,
        nameof(X64Avx512WithoutAvxVnni) => X64Avx512WithoutAvxVnni,
        nameof(X64Avx2) => X64Avx2,
        nameof(X64WithoutAvx2) => X64WithoutAvx2,
        nameof(Arm64Dp) => Arm64Dp,
        nameof(NoSimd) => NoSimd,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test CPU"),
    };
}

using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime;

/// <summary>
/// The instruction sets of this process that matter for choosing a path, as .NET reports them (so
/// the runtime's own knobs, <c>DOTNET_EnableAVX2=0</c> and the like, switch them off too).
/// </summary>
internal sealed record CpuFeatures(bool Avx2, bool Fma, bool Avx512F, bool AvxVnni, bool AdvSimd, bool DotProduct,
    bool Vector128Accelerated, bool Vector256Accelerated, bool Vector512Accelerated, bool Avx512BW = false, bool Avx512Vbmi = false)
{
    public static CpuFeatures Detect() => new(
        System.Runtime.Intrinsics.X86.Avx2.IsSupported,
        System.Runtime.Intrinsics.X86.Fma.IsSupported,
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported,
        System.Runtime.Intrinsics.X86.AvxVnni.IsSupported,
        System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported,
        Dp.IsSupported,
        Vector128.IsHardwareAccelerated,
        Vector256.IsHardwareAccelerated,
        Vector512.IsHardwareAccelerated,
        System.Runtime.Intrinsics.X86.Avx512BW.IsSupported,
        System.Runtime.Intrinsics.X86.Avx512Vbmi.IsSupported);

    /// <summary>Whether compiled kernels get vector code at all (else they would run scalar C#): <see cref="KernelDispatch"/> decides.</summary>
    public bool HasSimd => KernelDispatch.Select(this).Vectorized;

    public override string ToString()
    {
        var names = new List<string>();
        if (Avx2) names.Add("AVX2");
        if (Fma) names.Add("FMA");
        if (Avx512F) names.Add("AVX-512F");
        if (AvxVnni) names.Add("AVX-VNNI");
        if (AdvSimd) names.Add("AdvSimd");
        if (DotProduct) names.Add("Dp");
        return names.Count == 0 ? (Vector128Accelerated ? "Vector128" : "no SIMD") : string.Join("+", names);
    }
}

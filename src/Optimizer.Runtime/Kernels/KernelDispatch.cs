using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

/// <summary>An instruction-set path a kernel family runs on.</summary>
public enum KernelPath
{
    /// <summary>Plain scalar C# (hardware intrinsics off).</summary>
    Scalar,
    /// <summary>Portable 128-bit vectors (<see cref="Vector128"/>).</summary>
    Vector128,
    /// <summary>Portable 256-bit vectors (<see cref="Vector256"/>).</summary>
    Vector256,
    /// <summary>Portable 512-bit vectors (<see cref="Vector512"/>).</summary>
    Vector512,
    /// <summary>x86 AVX2 without FMA.</summary>
    Avx2,
    /// <summary>x86 AVX2 with fused multiply-add.</summary>
    Avx2Fma,
    /// <summary>x86 AVX-VNNI 256-bit int8 dot products (<c>vpdpbusd</c>).</summary>
    AvxVnni,
    /// <summary>Arm64 Advanced SIMD (the 128-bit kernel, fused multiply-add).</summary>
    AdvSimd,
}

/// <summary>Which path each kernel family uses on this machine; decided once at start-up.</summary>
/// <param name="Fp32Gemm">Float GEMM and convolution.</param>
/// <param name="Int8Gemm">u8 × s8 → s32 GEMM and convolution.</param>
/// <param name="Elementwise">Activations, broadcasting arithmetic, softmax (System.Numerics.Tensors).</param>
public sealed record KernelIsa(KernelPath Fp32Gemm, KernelPath Int8Gemm, KernelPath Elementwise)
{
    /// <inheritdoc />
    public override string ToString() => $"fp32 gemm: {Fp32Gemm}, int8 gemm: {Int8Gemm}, elementwise: {Elementwise}";
}

/// <summary>The kernel paths selected for this process (honours <c>DOTNET_EnableAVX2=0</c> and the other runtime knobs).</summary>
public static class KernelDispatch
{
    /// <summary>The selection, computed once.</summary>
    public static KernelIsa Current { get; } = Detect();

    /// <summary>
    /// The most threads one kernel call uses (large GEMMs split their column panels, batched
    /// convolutions their images); 1 runs every call on the caller's thread. Defaults to the
    /// processor count.
    /// </summary>
    public static int MaxThreads
    {
        get => _maxThreads;
        set => _maxThreads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one thread.");
    }

    private static int _maxThreads = Environment.ProcessorCount;

    private static KernelIsa Detect()
    {
        var fp32 = Avx2.IsSupported && Fma.IsSupported ? KernelPath.Avx2Fma
            : AdvSimd.Arm64.IsSupported ? KernelPath.AdvSimd
            : Vector128.IsHardwareAccelerated ? KernelPath.Vector128
            : KernelPath.Scalar;
        // .NET 10 exposes no separate AVX-512 VNNI class; AvxVnni covers vpdpbusd on 128/256-bit vectors.
        var int8 = AvxVnni.IsSupported ? KernelPath.AvxVnni
            : Avx2.IsSupported ? KernelPath.Avx2
            : KernelPath.Scalar; // no Arm64 dot-product (Dp) kernel yet: scalar there
        var elementwise = Vector512.IsHardwareAccelerated ? KernelPath.Vector512
            : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
            : Vector128.IsHardwareAccelerated ? KernelPath.Vector128
            : KernelPath.Scalar;
        return new KernelIsa(fp32, int8, elementwise);
    }
}

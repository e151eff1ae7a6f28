using System.Runtime.Intrinsics;

namespace Optimizer.Runtime.Compiled;

/// <summary>An instruction-set path a kernel family runs on.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
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
    /// <summary>x86 AVX-512F: 512-bit fused multiply-add tiles (added last: the members keep their values).</summary>
    Avx512F,
}

/// <summary>Which path each kernel family uses on this machine; decided once at start-up.</summary>
/// <param name="Fp32Gemm">Float GEMM and convolution.</param>
/// <param name="Int8Gemm">u8 × s8 → s32 GEMM and convolution.</param>
/// <param name="Elementwise">Activations, broadcasting arithmetic, softmax (System.Numerics.Tensors).</param>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record KernelIsa(KernelPath Fp32Gemm, KernelPath Int8Gemm, KernelPath Elementwise)
{
    /// <summary>
    /// Whether the int8 kernels run on INT8 dot-product instructions (AVX-VNNI's <c>vpdpbusd</c>);
    /// elsewhere they pair products through int16 or run scalar, and an int8 program is no faster
    /// than the fp32 one. What the <c>int8-dot-product</c> requirement of a compiled variant asks.
    /// </summary>
    public bool Int8DotProduct => Int8Gemm is KernelPath.AvxVnni;

    /// <summary>Whether the compiled kernels get vector code at all (else they run scalar C#).</summary>
    public bool Vectorized => Fp32Gemm is not KernelPath.Scalar;

    /// <inheritdoc />
    public override string ToString() => $"fp32 gemm: {Fp32Gemm}, int8 gemm: {Int8Gemm}, elementwise: {Elementwise}";
}

/// <summary>The kernel paths selected for this process (honours <c>DOTNET_EnableAVX2=0</c> and the other runtime knobs).</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class KernelDispatch
{
    // Each kernel family's paths, best first, with what the CPU must have for it: the one table the
    // kernels run by and the compiled-variant choice (VariantSelector) reads.
    private static readonly (KernelPath Path, Func<CpuFeatures, bool> Runs)[] Fp32GemmPaths =
    [
        (KernelPath.Avx512F, cpu => cpu.Avx512F && cpu.Avx2 && cpu.Fma), // rows below a 512-bit tile run the AVX2 tiles
        (KernelPath.Avx2Fma, cpu => cpu.Avx2 && cpu.Fma),
        (KernelPath.AdvSimd, cpu => cpu.AdvSimd),
        (KernelPath.Vector128, cpu => cpu.Vector128Accelerated),
        (KernelPath.Scalar, _ => true),
    ];

    // .NET 10 exposes no separate AVX-512 VNNI class; AvxVnni covers vpdpbusd on 128/256-bit vectors.
    // No Arm64 dot-product (Dp) kernel yet: int8 runs scalar there.
    private static readonly (KernelPath Path, Func<CpuFeatures, bool> Runs)[] Int8GemmPaths =
    [
        (KernelPath.AvxVnni, cpu => cpu.AvxVnni),
        (KernelPath.Avx2, cpu => cpu.Avx2),
        (KernelPath.Scalar, _ => true),
    ];

    private static readonly (KernelPath Path, Func<CpuFeatures, bool> Runs)[] ElementwisePaths =
    [
        (KernelPath.Vector512, cpu => cpu.Vector512Accelerated),
        (KernelPath.Vector256, cpu => cpu.Vector256Accelerated),
        (KernelPath.Vector128, cpu => cpu.Vector128Accelerated),
        (KernelPath.Scalar, _ => true),
    ];

    /// <summary>The selection, computed once (after the tables above: static initializers run in order).</summary>
    public static KernelIsa Current { get; } = Select(CpuFeatures.Detect());

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

    /// <summary>The paths the kernels take on a CPU with <paramref name="cpu"/>'s features: a pure function, so it is tested for every CPU.</summary>
    internal static KernelIsa Select(CpuFeatures cpu) =>
        new(First(Fp32GemmPaths, cpu), First(Int8GemmPaths, cpu), First(ElementwisePaths, cpu));

    private static KernelPath First((KernelPath Path, Func<CpuFeatures, bool> Runs)[] paths, CpuFeatures cpu) =>
        paths.First(p => p.Runs(cpu)).Path;
}

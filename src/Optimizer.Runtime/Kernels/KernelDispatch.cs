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
    /// <summary>x86 AVX-512BW 512-bit int8 pair products (<c>vpmaddubsw</c> then <c>vpmaddwd</c>): int8 on AVX-512 CPUs without AVX-VNNI.</summary>
    Avx512BW,
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
    /// Whether the int8 kernels on this CPU were measured faster than its fp32 kernels (the
    /// int8 rows of <see cref="KernelDispatch"/>'s table say against which fp32 paths, and why):
    /// what the <c>int8-dot-product</c> requirement of a compiled variant asks. The name is the
    /// manifests' requirement; since the AVX-512BW path it no longer means dot-product instructions only.
    /// </summary>
    public bool Int8DotProduct => KernelDispatch.Int8FasterThanFp32(Int8Gemm, Fp32Gemm);

    /// <summary>
    /// Whether 64-byte two-table byte shuffles (<c>vpermt2b</c>, AVX-512 VBMI) run: the u8 lookups
    /// and the int8 quad gather take them. A feature apart from the GEMM paths (Zen 4 has it, some AVX-512 CPUs do not).
    /// </summary>
    internal bool Avx512Vbmi { get; init; }

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

    // The int8 paths, best first: what the CPU must have, and the fp32 paths each was measured
    // faster than on whole models (compiled int8 vs compiled fp32, `onnx-opt bench --path compiled`,
    // 1 thread): the int8 variant of a quantized model runs only over those. An fp32 path not listed
    // (a new one) keeps the fp32 variant until it is measured. .NET 10 exposes no AVX-512 VNNI
    // class: AvxVnni is vpdpbusd on 256-bit vectors at most, so AVX-512 CPUs without AVX-VNNI (Zen 4)
    // pair products through int16 on zmm (Avx512BW). No Arm64 dot-product (Dp) kernel yet: int8 runs scalar there.
    private static readonly Int8GemmPath[] Int8GemmPaths =
    [
        new(KernelPath.AvxVnni, cpu => cpu.AvxVnni, [KernelPath.Avx2Fma, KernelPath.Avx512F],
            "Zen 5 (AMD EPYC family 26, AVX-512 + AVX-VNNI), 1 thread, int8 ÷ fp32 compiled against the Avx512F tiles (p50, interleaved, `onnx-opt bench --path compiled`): "
            + "digits_cnn StaticInt8 0.62–0.63× (batch 1), 0.46–0.47× (64: the small-plane tiles on vpdpbusd); wake-word embedding 0.54–0.57× (1), 0.49× (64); "
            + "PP-OCR classifier 0.68× (1); digits_mlp 0.67× (1), 0.81× (64); arctic DynamicInt8 0.74× (16 tokens), 0.96× (128)"),
        new(KernelPath.Avx512BW, cpu => cpu.Avx512BW, [KernelPath.Avx2Fma, KernelPath.Avx512F],
            "Zen 5 with DOTNET_EnableAVXVNNI=0 (Zen 4's table), 1 thread, against Avx512F: digits_cnn 0.65–0.67× (batch 1), 0.59–0.60× (64); wake-word embedding 0.65–0.67× (1), 0.59× (64); "
            + "PP-OCR classifier 0.67–0.71× (1: its int8 depthwise in 64-pixel zmm blocks; 0.72–0.79× on ymm); digits_mlp 0.70× (1), 0.85× (64); arctic DynamicInt8 0.73× (16 tokens), 0.93× (128)"),
        new(KernelPath.Avx2, cpu => cpu.Avx2, [],
            "AVX2 Zen 3 (no VNNI), 1 thread, against Avx2Fma (p50, interleaved runs): digits_cnn StaticInt8 0.65–0.67× (batch 1), 0.56–0.69× (64: batched small-plane QConv against fp32's Winograd); "
            + "wake-word embedding 0.71× (1), 0.52–0.59× (64); the PP-OCR classifier 0.89–0.99× there (before the fused tile requantization); on Zen 5 under "
            + "DOTNET_EnableAVXVNNI=0 DOTNET_EnableAVX512=0: digits_cnn 0.63× (1), 0.57–0.58× (64), wake-word 0.58–0.59× (1), 0.52× (64), classifier 0.74–0.75× (its hard-swish "
            + "tables, LookupU8 without VBMI, 13% of it). Not measured on a real AVX2-only CPU since, so Avx2Fma is not listed: the build's timing decides on such a machine"),
        new(KernelPath.Scalar, _ => true, [], "scalar int8 against vector fp32: never faster"),
    ];

    private static readonly (KernelPath Path, Func<CpuFeatures, bool> Runs)[] ElementwisePaths =
    [
        (KernelPath.Vector512, cpu => cpu.Vector512Accelerated),
        (KernelPath.Vector256, cpu => cpu.Vector256Accelerated),
        (KernelPath.Vector128, cpu => cpu.Vector128Accelerated),
        (KernelPath.Scalar, _ => true),
    ];

    /// <summary>The selection, computed once (after the tables above: static initializers run in order).</summary>
    public static KernelIsa Current => _current;

    private static KernelIsa _current = Select(CpuFeatures.Detect());

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
        new(First(Fp32GemmPaths, cpu), Int8GemmPaths.First(p => p.Runs(cpu)).Path, First(ElementwisePaths, cpu)) { Avx512Vbmi = cpu.Avx512Vbmi };

    /// <summary>
    /// Tests only: the kernels run <paramref name="isa"/>'s paths until the scope is disposed, the
    /// instructions this CPU lacks in software (<see cref="Avx512Ops"/>), so AVX-512 and AVX-VNNI
    /// code is checked on an AVX2 machine. Process-wide: its callers run in a non-parallel test
    /// collection, and load (pack weights) and run their programs inside the scope.
    /// </summary>
    internal static IDisposable ForTests(KernelIsa isa)
    {
        var scope = new ForcedPaths(_current);
        _current = isa;
        return scope;
    }

    private sealed class ForcedPaths(KernelIsa detected) : IDisposable
    {
        public void Dispose() => _current = detected;
    }

    /// <summary>Whether the int8 path <paramref name="int8"/> was measured faster than the fp32 path <paramref name="fp32"/> (the table's row).</summary>
    internal static bool Int8FasterThanFp32(KernelPath int8, KernelPath fp32) =>
        Int8GemmPaths.FirstOrDefault(p => p.Path == int8) is { } row && row.FasterThanFp32.Contains(fp32);

    private static KernelPath First((KernelPath Path, Func<CpuFeatures, bool> Runs)[] paths, CpuFeatures cpu) =>
        paths.First(p => p.Runs(cpu)).Path;

    /// <summary>One int8 row: the path, what the CPU needs for it, the fp32 paths it beats and the measurement that says so.</summary>
    private sealed record Int8GemmPath(KernelPath Path, Func<CpuFeatures, bool> Runs, KernelPath[] FasterThanFp32, string Measured);
}

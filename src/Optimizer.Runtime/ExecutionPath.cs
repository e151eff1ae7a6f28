namespace Optimizer.Runtime;

/// <summary>The way a model instance runs, chosen when it was created.</summary>
/// <param name="Kind"><see cref="ExecutionPathKind.OnnxRuntime"/> or <see cref="ExecutionPathKind.Compiled"/>.</param>
/// <param name="Provider">The ONNX Runtime execution provider (e.g. <c>CPUExecutionProvider</c>); null on the compiled path.</param>
/// <param name="Kernels">The instruction-set paths of the compiled kernels (e.g. <c>fp32 gemm: Avx2Fma, …</c>); null on ONNX Runtime.</param>
/// <param name="Variant">The embedded model variant in use; null when the build embedded only one.</param>
public sealed record ExecutionPath(ExecutionPathKind Kind, string? Provider, string? Kernels, string? Variant = null)
{
    /// <summary>
    /// On the compiled path, how the kernel calls are made: <c>generated</c> (the C# the source
    /// generator emitted from the program: one direct kernel call per step) or <c>interpreter</c>
    /// (the embedded program decoded and run step by step); null on ONNX Runtime.
    /// </summary>
    public string? Schedule { get; init; }

    /// <summary>
    /// Why this way was taken, e.g. <c>ONNX Runtime on the CPU</c>, or with <see cref="ModelOptions.Path"/> =
    /// <see cref="ExecutionPathKind.Auto"/> <c>the build timed the compiled kernels faster than ONNX Runtime (one thread each) on a CPU with these kernel paths (…) at [1,64]</c>.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>Equal when the way is the same: <see cref="Reason"/> explains it and takes no part.</summary>
    public bool Equals(ExecutionPath? other) =>
        other is not null && Kind == other.Kind && Provider == other.Provider && Kernels == other.Kernels && Variant == other.Variant && Schedule == other.Schedule;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Provider, Kernels, Variant, Schedule);

    /// <summary>For example <c>OnnxRuntime(CPUExecutionProvider)</c> or <c>Compiled(generated; fp32 gemm: Avx2Fma, int8 gemm: Avx2, elementwise: Vector256)</c>.</summary>
    public override string ToString() =>
        (Kind == ExecutionPathKind.Compiled ? $"Compiled({(Schedule is null ? "" : Schedule + "; ")}{Kernels})" : $"OnnxRuntime({Provider})") + (Variant is null ? "" : $" [{Variant}]");
}

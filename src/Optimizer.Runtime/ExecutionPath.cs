namespace Optimizer.Runtime;

/// <summary>The way a model instance runs, chosen when it was created.</summary>
/// <param name="Kind"><see cref="ExecutionPathKind.OnnxRuntime"/> or <see cref="ExecutionPathKind.Compiled"/>.</param>
/// <param name="Provider">The ONNX Runtime execution provider (e.g. <c>CPUExecutionProvider</c>); null on the compiled path.</param>
/// <param name="Kernels">The instruction-set paths of the compiled kernels (e.g. <c>fp32 gemm: Avx2Fma, …</c>); null on ONNX Runtime.</param>
/// <param name="Variant">The embedded model variant in use; null when the build embedded only one.</param>
public sealed record ExecutionPath(ExecutionPathKind Kind, string? Provider, string? Kernels, string? Variant = null)
{
    /// <summary>For example <c>OnnxRuntime(CPUExecutionProvider)</c> or <c>Compiled(fp32 gemm: Avx2Fma, int8 gemm: Avx2, elementwise: Vector256)</c>.</summary>
    public override string ToString() =>
        (Kind == ExecutionPathKind.Compiled ? $"Compiled({Kernels})" : $"OnnxRuntime({Provider})") + (Variant is null ? "" : $" [{Variant}]");
}

// What quantization and the compiled kernels both need to know about an operator with a weight:
// where the weight and the bias are, which weight ranks have an integer form, and how the weight
// reads as the B of a K×N matrix product (which axis holds the output channels, the per-channel
// quantization axis). The quantizer writes per-channel weights along that axis; the compiler's
// QDQ fusion (src/Optimizer.Compiler/Build/QdqFusion.cs) accepts them only along the same axis, so
// both read it from here. This file is linked into Optimizer.Compiler, which does not reference
// Optimizer.Passes: it may use only Optimizer.Onnx.

using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization.Operators;

/// <summary>A weight as the B of a K×N product: output channels on <see cref="ChannelAxis"/>; <see cref="TransB"/> when stored [N, K].</summary>
internal readonly record struct WeightLayout(int ChannelAxis, long K, long N, bool TransB);

/// <summary>The weight-related facts of Conv, Gemm and MatMul.</summary>
/// <param name="MinRank">The lowest weight rank that is quantized.</param>
/// <param name="MaxRank">The highest weight rank that is quantized.</param>
/// <param name="BiasInput">The input index of the bias, or null when the op has none (MatMul).</param>
/// <param name="Layout">The layout of a weight of a rank in [MinRank, MaxRank].</param>
/// <param name="WhyNoIntegerForm">Why the node's attributes have no integer kernel form, or null when they do.</param>
internal sealed record WeightedOp(int MinRank, int MaxRank, int? BiasInput, Func<OnnxNode, IReadOnlyList<long>, WeightLayout> Layout,
    Func<OnnxNode, string?> WhyNoIntegerForm)
{
    public const int WeightInput = 1;

    /// <summary>W [M, C/group, k…]: M output channels on axis 0; each reduces over C/group × the kernel.</summary>
    public static readonly WeightedOp Conv = new(3, 5, 2,
        (_, dims) => new WeightLayout(0, dims.Skip(1).Aggregate(1L, (a, d) => a * d), dims[0], TransB: true),
        _ => null);

    /// <summary>B [K, N], or [N, K] with transB=1.</summary>
    public static readonly WeightedOp Gemm = new(2, 2, 2,
        (node, dims) => (node.FindAttribute("transB")?.Int ?? 0) != 0 ? new WeightLayout(0, dims[1], dims[0], true) : new WeightLayout(1, dims[0], dims[1], false),
        node => (node.FindAttribute("transA")?.Int ?? 0) != 0 || (node.FindAttribute("alpha")?.Float ?? 1f) != 1f || (node.FindAttribute("beta")?.Float ?? 1f) != 1f
            ? "Gemm with transA, alpha ≠ 1 or beta ≠ 1 has no quantized kernel form; left in float"
            : null);

    /// <summary>B [K, N].</summary>
    public static readonly WeightedOp MatMul = new(2, 2, null, (_, dims) => new WeightLayout(1, dims[0], dims[1], false), _ => null);

    /// <summary>The bias input's name, or null when the node has none.</summary>
    public string? Bias(OnnxNode node) => BiasInput is { } i && node.Inputs.Count > i && node.Inputs[i].Length > 0 ? node.Inputs[i] : null;
}

namespace Optimizer.Onnx;

/// <summary>MatMul and Gemm.</summary>
internal static class LinearAlgebraRules
{
    /// <summary>numpy matmul: 1-D operands are promoted and the added axis dropped; batch axes broadcast.</summary>
    public static InferredType MatMul(NodeContext c)
    {
        var (a, b) = (c.Shape(0), c.Shape(1));
        if (a is null || b is null || a.Length == 0 || b.Length == 0) return new InferredType(c.ElementType(0), null);
        var a2 = a.Length == 1 ? [Dim.Fixed(1), a[0]] : a;
        var b2 = b.Length == 1 ? [b[0], Dim.Fixed(1)] : b;
        var batch = DimMath.Broadcast([a2[..^2], b2[..^2]]) ?? [];
        var rows = a.Length == 1 ? Array.Empty<Dim>() : [a2[^2]];
        var cols = b.Length == 1 ? Array.Empty<Dim>() : [b2[^1]];
        return new InferredType(c.ElementType(0), [.. batch, .. rows, .. cols]);
    }

    /// <summary>Gemm: [M, N] from A (or Aᵀ) [M, K] and B (or Bᵀ) [K, N].</summary>
    public static InferredType Gemm(NodeContext c)
    {
        var (a, b) = (c.Shape(0), c.Shape(1));
        if (a is not { Length: 2 } || b is not { Length: 2 }) return new InferredType(c.ElementType(0), a is null || b is null ? null : [Dim.Unknown, Dim.Unknown]);
        var m = c.Int("transA", 0) != 0 ? a[1] : a[0];
        var n = c.Int("transB", 0) != 0 ? b[0] : b[1];
        return new InferredType(c.ElementType(0), [m, n]);
    }
}

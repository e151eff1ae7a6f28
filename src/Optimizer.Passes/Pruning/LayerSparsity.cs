namespace Optimizer.Passes.Pruning;

/// <summary>Per-layer figures for a zeroing prune: parameter count and zeros before and after.</summary>
internal sealed record LayerSparsity(long Parameters, long ZerosBefore, long ZerosAfter)
{
    public static long CountZeros(float[] values) => values.LongCount(v => v == 0f);

    public double Sparsity => Parameters == 0 ? 0 : (double)ZerosAfter / Parameters;

    /// <summary>
    /// Set when the sparsity reached falls short of <paramref name="declared"/> by more than the rounding of
    /// one weight per layer can explain (half a percentage point), or there was nothing to prune.
    /// </summary>
    public PassShortfall? ShortfallFrom(double declared, IEnumerable<PassSkip> skipped) =>
        Parameters == 0 ? PassShortfall.FromSkips("pruned 0 layers (no Conv/Gemm/MatMul with a constant float32 weight)", skipped)
        : Sparsity < declared - 0.005 ? PassShortfall.FromSkips($"reached {Percent.Of(Sparsity)} sparsity of the declared {Percent.Of(declared)}", skipped)
        : null;

    public string Describe() => $"{Parameters} params, zeros {ZerosBefore} → {ZerosAfter}, sparsity {Percent.Of(Sparsity)}";
}

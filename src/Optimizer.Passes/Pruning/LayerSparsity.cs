namespace Optimizer.Passes.Pruning;

/// <summary>Per-layer figures for a zeroing prune: parameter count and zeros before and after.</summary>
internal sealed record LayerSparsity(long Parameters, long ZerosBefore, long ZerosAfter)
{
    public static long CountZeros(float[] values) => values.LongCount(v => v == 0f);

    public double Sparsity => Parameters == 0 ? 0 : (double)ZerosAfter / Parameters;

    public string Describe() => $"{Parameters} params, zeros {ZerosBefore} → {ZerosAfter}, sparsity {Percent.Of(Sparsity)}";
}

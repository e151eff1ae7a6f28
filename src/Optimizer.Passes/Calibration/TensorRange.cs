namespace Optimizer.Passes.Calibration;

/// <summary>The float range an activation is quantized over; always contains 0 so 0 is exact.</summary>
/// <param name="Min">Lower end (≤ 0).</param>
/// <param name="Max">Upper end (≥ 0).</param>
public readonly record struct TensorRange(float Min, float Max)
{
    /// <summary>The range widened to contain 0.</summary>
    public static TensorRange IncludingZero(float min, float max) => new(Math.Min(min, 0f), Math.Max(max, 0f));

    /// <summary>The smallest range containing both.</summary>
    public TensorRange Union(TensorRange other) => new(Math.Min(Min, other.Min), Math.Max(Max, other.Max));
}

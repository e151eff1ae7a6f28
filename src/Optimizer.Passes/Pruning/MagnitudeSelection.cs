namespace Optimizer.Passes.Pruning;

/// <summary>
/// Zeroes the <c>count</c> weights with the lowest scores across one or more tensors (the
/// score is |w| for magnitude pruning, or a LAMP score). Ties at the threshold go to the
/// earlier tensor, then the lower index, so the result never depends on sort stability.
/// </summary>
internal static class MagnitudeSelection
{
    public static void ZeroSmallestMagnitudes(IReadOnlyList<float[]> tensors, long count) =>
        ZeroLowestScores(tensors, tensors.Select(t => t.Select(w => (double)Magnitude(w)).ToArray()).ToList(), count);

    public static void ZeroLowestScores(IReadOnlyList<float[]> tensors, IReadOnlyList<double[]> scores, long count)
    {
        if (count <= 0)
        {
            return;
        }

        var sorted = scores.SelectMany(s => s).ToArray();
        count = Math.Min(count, sorted.Length);
        Array.Sort(sorted);
        var threshold = sorted[count - 1];
        var ties = count - CountBelow(sorted, threshold);
        for (var t = 0; t < tensors.Count; t++)
        {
            for (var i = 0; i < tensors[t].Length; i++)
            {
                var score = scores[t][i];
                if (score < threshold || (score == threshold && ties-- > 0))
                {
                    tensors[t][i] = 0f;
                }
            }
        }
    }

    /// <summary>|w|, with NaN ranked as the largest so it is never chosen.</summary>
    public static float Magnitude(float w) => float.IsNaN(w) ? float.PositiveInfinity : Math.Abs(w);

    private static long CountBelow(double[] sorted, double threshold)
    {
        // First index whose value is >= threshold.
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (sorted[mid] < threshold)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

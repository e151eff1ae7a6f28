namespace Optimizer.Passes.Pruning;

/// <summary>Chooses which output channels of a layer to keep: those with the largest filter norms.</summary>
internal static class FilterRanking
{
    /// <summary>
    /// The indices (ascending) of the <paramref name="keepCount"/> output channels with the
    /// largest L1 or L2 norm along <paramref name="outputAxis"/>; on equal norms the lower index stays.
    /// </summary>
    public static int[] Keep(float[] weights, IReadOnlyList<long> dims, int outputAxis, PruneNorm norm, int keepCount)
    {
        return Strongest(Norms(weights, dims, outputAxis, norm), keepCount);
    }

    /// <summary>The indices (ascending) of the <paramref name="keepCount"/> largest <paramref name="scores"/>; on equal scores the lower index stays.</summary>
    public static int[] Strongest(IReadOnlyList<double> scores, int keepCount) =>
        Enumerable.Range(0, scores.Count).OrderByDescending(c => scores[c]).ThenBy(c => c).Take(keepCount).Order().ToArray();

    public static double[] Norms(float[] weights, IReadOnlyList<long> dims, int outputAxis, PruneNorm norm)
    {
        var outer = dims.Take(outputAxis).Aggregate(1L, (a, d) => a * d);
        var channels = (int)dims[outputAxis];
        var inner = dims.Skip(outputAxis + 1).Aggregate(1L, (a, d) => a * d);
        var sums = new double[channels];
        for (long o = 0; o < outer; o++)
        {
            for (var c = 0; c < channels; c++)
            {
                var start = (o * channels + c) * inner;
                for (long i = 0; i < inner; i++)
                {
                    double w = weights[start + i];
                    sums[c] += norm == PruneNorm.L1 ? Math.Abs(w) : w * w;
                }
            }
        }

        return norm == PruneNorm.L1 ? sums : sums.Select(Math.Sqrt).ToArray();
    }
}

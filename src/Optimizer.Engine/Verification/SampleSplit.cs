using Optimizer.Passes.Data;

namespace Optimizer.Engine.Verification;

/// <summary>
/// Where one feed's output splits into samples: a batched feed's output that keeps the batch axis
/// (its first dimension equals the feed's sample count) holds one slice per sample; any other
/// output is one sample as a whole (a feed of one complete model run, or an output without the batch axis).
/// </summary>
internal static class SampleSplit
{
    /// <summary>How many samples <paramref name="shape"/> holds for <paramref name="feed"/> (1 when it is not split).</summary>
    public static int Count(Feed feed, long[] shape) =>
        feed.Batched && shape.Length > 0 && shape[0] == feed.SampleCount && feed.SampleCount > 0 ? feed.SampleCount : 1;

    /// <summary>Sample <paramref name="index"/> of <paramref name="values"/> split into <paramref name="count"/> equal slices.</summary>
    public static ReadOnlySpan<float> Slice(float[] values, int count, int index)
    {
        var size = values.Length / count;
        return values.AsSpan(index * size, size);
    }
}

using Optimizer.Engine.Benchmarking;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Tests.Benchmarking;

/// <summary>Hand-built timing data for the real models' signatures (what the data reader would give for an .npz or a test-data folder).</summary>
internal static class TimingSamples
{
    /// <summary>
    /// One sentence per length for arctic_embed_xs: <c>[CLS]</c>, word-piece ids, <c>[SEP]</c>
    /// (uncased BERT vocabulary: 101, 1000–1999, 102), a mask of ones and token types of zeros, each
    /// [1, length]; complete feeds whose shapes differ, as a test-data folder gives them.
    /// </summary>
    public static FeedList Sentences(params int[] lengths) =>
        new(["input_ids", "attention_mask", "token_type_ids"], lengths.Length, i => new Dictionary<string, DataTensor>
        {
            ["input_ids"] = DataTensor.FromInt64(Enumerable.Range(0, lengths[i]).Select(t => t == 0 ? 101L : t == lengths[i] - 1 ? 102L : 1000L + (t * 37 + i) % 1000).ToArray(), [1, lengths[i]]),
            ["attention_mask"] = DataTensor.FromInt64(Enumerable.Repeat(1L, lengths[i]).ToArray(), [1, lengths[i]]),
            ["token_type_ids"] = DataTensor.FromInt64(new long[lengths[i]], [1, lengths[i]]),
        })
        {
            Source = $"{lengths.Length} sentences of {string.Join(", ", lengths)} tokens",
        };

    /// <summary><paramref name="count"/> digit-like images for the digits models' input [batch,1,8,8], stacked and batchable.</summary>
    public static StackedSamples Digits(int count)
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, count * 64).Select(_ => random.NextSingle()).ToArray();
        return new StackedSamples([new StackedInput("input", DataTensor.FromFloats(values, [count, 1, 8, 8]), RowIsWholeInput: false)], batchable: true)
        {
            Source = $"{count} random images",
        };
    }

    /// <summary>A comparison whose shapes give each model the medians in <paramref name="medians"/> (one row per shape, model 0 first).</summary>
    public static LatencyComparison Medians(params double[][] medians) => new(
        new TimingInputs([], "test"),
        medians.Select((row, shape) => new ShapeLatency($"x [{shape}]",
            row.Select((ms, m) => new LatencyStatistics($"m{m}", 100, ms, ms, ms, ms, ms, 1, null)).ToList())).ToList());
}

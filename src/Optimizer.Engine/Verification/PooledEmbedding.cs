using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Verification;

/// <summary>
/// Sentence embeddings the way encoders are used: an output <c>[batch, seq, hidden]</c> averaged over
/// <c>seq</c> weighted by the feed's attention mask (an input <c>[batch, seq]</c> whose name contains
/// "mask"), so padding tokens do not count. Their cosine is what a retrieval app sees.
/// </summary>
internal static class PooledEmbedding
{
    /// <summary>The feed's mask weights <c>[batch·seq]</c> for an output of <paramref name="outputShape"/>, or null when it is not an encoder output with a mask.</summary>
    public static double[]? MaskFor(Feed feed, long[] outputShape)
    {
        if (outputShape.Length != 3)
            return null;
        var mask = feed.Inputs
            .Where(i => i.Key.Contains("mask", StringComparison.OrdinalIgnoreCase))
            .Select(i => i.Value)
            .FirstOrDefault(t => t.Shape.Length == 2 && t.Shape[0] == outputShape[0] && t.Shape[1] == outputShape[1]);
        return mask is null ? null : Weights(mask);
    }

    /// <summary>The masked mean over the sequence of one sample <c>[seq, hidden]</c>; a mask of all zeros averages every token.</summary>
    public static double[] Pool(ReadOnlySpan<float> sample, ReadOnlySpan<double> mask)
    {
        var hidden = sample.Length / mask.Length;
        var pooled = new double[hidden];
        var total = 0.0;
        for (var s = 0; s < mask.Length; s++)
            total += mask[s];
        for (var s = 0; s < mask.Length; s++)
        {
            var weight = total == 0 ? 1.0 / mask.Length : mask[s] / total;
            if (weight == 0)
                continue;
            var row = sample.Slice(s * hidden, hidden);
            for (var h = 0; h < hidden; h++)
                pooled[h] += weight * row[h];
        }

        return pooled;
    }

    private static double[] Weights(DataTensor mask) => mask.ElementType switch
    {
        TensorElementType.Int64 => Array.ConvertAll(mask.Values<long>().ToArray(), v => (double)v),
        TensorElementType.Int32 => Array.ConvertAll(mask.Values<int>().ToArray(), v => (double)v),
        TensorElementType.Int8 => Array.ConvertAll(mask.Values<sbyte>().ToArray(), v => (double)v),
        TensorElementType.UInt8 or TensorElementType.Bool => Array.ConvertAll(mask.Bytes, v => v == 0 ? 0.0 : v),
        _ => mask.ToFloats() is { } floats ? Array.ConvertAll(floats, v => (double)v) : Enumerable.Repeat(1.0, (int)mask.ElementCount).ToArray(),
    };
}

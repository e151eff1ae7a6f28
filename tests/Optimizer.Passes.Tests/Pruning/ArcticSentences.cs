using System.Runtime.InteropServices;
using Optimizer.Engine.Calibration;
using Optimizer.EndToEnd.Tests.RealData;
using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Passes.Tests.Pruning;

/// <summary>
/// arctic_embed_xs on real sentences (the end-to-end fixtures, tokenized with the model's vocabulary):
/// the samples, the model's last_hidden_state on them, and the masked mean-pooled sentence embeddings apps compare.
/// </summary>
internal static class ArcticSentences
{
    public static StackedSamples Calibration { get; } = Samples(ArcticEncoderData.Encode(ArcticEncoderData.CalibrationSentences), "calibration sentences");

    public static EncodedSentences Validation { get; } = ArcticEncoderData.Encode(ArcticEncoderData.ValidationSentences);

    public static StackedSamples Samples(EncodedSentences sentences, string source)
    {
        long[] shape = [sentences.Count, sentences.SequenceLength];
        return new StackedSamples(
        [
            new StackedInput(EncodedSentences.InputIdsName, DataTensor.FromInt64(sentences.InputIds, shape), RowIsWholeInput: false),
            new StackedInput(EncodedSentences.AttentionMaskName, DataTensor.FromInt64(sentences.AttentionMask, shape), RowIsWholeInput: false),
            new StackedInput(EncodedSentences.TokenTypeIdsName, DataTensor.FromInt64(sentences.TokenTypeIds, shape), RowIsWholeInput: false),
        ], batchable: true) { Source = $"{sentences.Count} {source}" };
    }

    /// <summary>
    /// The sentences as <paramref name="model"/>'s inputs: the arrays it has inputs for (an encoder without
    /// token_type_ids takes two), as int32 where it takes int32 ids. For arctic, the same as <see cref="Samples"/>.
    /// </summary>
    public static StackedSamples ModelSamples(OnnxModel model, EncodedSentences sentences)
    {
        long[] shape = [sentences.Count, sentences.SequenceLength];
        return new StackedSamples(model.Graph.Inputs.Select(i => new StackedInput(i.Name, Tensor(sentences.Array(i.Name), shape, i.Type!.ElementType), RowIsWholeInput: false)).ToList(),
            batchable: true) { Source = $"{sentences.Count} sentences" };
    }

    /// <summary>last_hidden_state on all <paramref name="sentences"/> in one run, and its shape.</summary>
    public static (float[] Values, long[] Shape) HiddenStates(OnnxModel model, EncodedSentences sentences)
    {
        var feed = ModelSamples(model, sentences).Feeds(sentences.Count).Single();
        using var session = new OnnxRuntimeModelExecutor().Open(model, [model.Graph.Outputs[0].Name]);
        var result = session.Run(feed.Inputs)[0];
        return (result.Values, result.Shape);
    }

    private static DataTensor Tensor(long[] values, long[] shape, TensorElementType type) => type switch
    {
        TensorElementType.Int64 => DataTensor.FromInt64(values, shape),
        TensorElementType.Int32 => new DataTensor(type, shape, MemoryMarshal.AsBytes(values.Select(v => checked((int)v)).ToArray().AsSpan()).ToArray()),
        _ => throw new ArgumentException($"token ids as {type} are not a test case"),
    };

    /// <summary>The lowest cosine between the two models' mean-pooled embeddings (padding masked out) over <paramref name="sentences"/>.</summary>
    public static double MinPooledCosine(float[] a, float[] b, EncodedSentences sentences)
    {
        var hidden = ArcticEncoderData.HiddenSize;
        var lowest = 1.0;
        for (var row = 0; row < sentences.Count; row++)
        {
            var (pa, pb) = (new double[hidden], new double[hidden]);
            for (var t = 0; t < sentences.SequenceLength; t++)
            {
                if (sentences.AttentionMask[row * sentences.SequenceLength + t] == 0)
                {
                    continue;
                }

                var at = (row * sentences.SequenceLength + t) * hidden;
                for (var i = 0; i < hidden; i++)
                {
                    (pa[i], pb[i]) = (pa[i] + a[at + i], pb[i] + b[at + i]);
                }
            }

            var dot = pa.Zip(pb, (x, y) => x * y).Sum();
            lowest = Math.Min(lowest, dot / Math.Sqrt(pa.Sum(x => x * x) * pb.Sum(y => y * y)));
        }

        return lowest;
    }
}

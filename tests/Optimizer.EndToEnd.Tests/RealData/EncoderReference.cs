using Microsoft.ML.OnnxRuntime;

namespace Optimizer.EndToEnd.Tests.RealData;

/// <summary>The original encoder in ONNX Runtime, and the sentence embedding apps take from it.</summary>
internal static class EncoderReference
{
    /// <summary><c>last_hidden_state</c> of one sentence ([1, n, hidden], row-major) from the original model.</summary>
    public static float[] LastHiddenState(string modelPath, IReadOnlyList<int> ids)
    {
        using var session = new InferenceSession(modelPath, new SessionOptions { IntraOpNumThreads = 1 });
        long[] shape = [1, ids.Count];
        using var inputIds = OrtValue.CreateTensorValueFromMemory(ids.Select(id => (long)id).ToArray(), shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, ids.Count).ToArray(), shape);
        using var types = OrtValue.CreateTensorValueFromMemory(new long[ids.Count], shape);
        using var outputs = session.Run(new RunOptions(),
            [EncodedSentences.InputIdsName, EncodedSentences.AttentionMaskName, EncodedSentences.TokenTypeIdsName],
            [inputIds, mask, types], [session.OutputNames[0]]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>
    /// The sentence embeddings of one padded batch: every sentence padded with [PAD] (id 0, mask 0)
    /// to the longest, run together, each row mean-pooled over its own unmasked tokens.
    /// </summary>
    public static double[][] PooledBatch(string modelPath, IReadOnlyList<IReadOnlyList<int>> sentences, int hiddenSize)
    {
        var length = sentences.Max(s => s.Count);
        var ids = new long[sentences.Count * length];
        var mask = new long[ids.Length];
        for (var row = 0; row < sentences.Count; row++)
        {
            for (var t = 0; t < sentences[row].Count; t++)
            {
                ids[row * length + t] = sentences[row][t];
                mask[row * length + t] = 1;
            }
        }

        using var session = new InferenceSession(modelPath, new SessionOptions { IntraOpNumThreads = 1 });
        long[] shape = [sentences.Count, length];
        using var inputIds = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var attention = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape);
        using var outputs = session.Run(new RunOptions(),
            [EncodedSentences.InputIdsName, EncodedSentences.AttentionMaskName, EncodedSentences.TokenTypeIdsName],
            [inputIds, attention, types], [session.OutputNames[0]]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        return sentences.Select((sentence, row) => MeanPooled(hidden.AsSpan(row * length * hiddenSize, sentence.Count * hiddenSize).ToArray(), hiddenSize)).ToArray();
    }

    /// <summary>The sentence embedding: the mean over tokens (every token is unmasked here) of [tokens, hidden].</summary>
    public static double[] MeanPooled(IReadOnlyList<float> hidden, int hiddenSize)
    {
        var tokens = hidden.Count / hiddenSize;
        var pooled = new double[hiddenSize];
        for (var t = 0; t < tokens; t++)
            for (var h = 0; h < hiddenSize; h++) pooled[h] += hidden[t * hiddenSize + h] / (double)tokens;
        return pooled;
    }

    public static double Cosine(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double dot = 0, aa = 0, bb = 0;
        for (var i = 0; i < a.Count; i++)
        {
            dot += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }

        return dot / Math.Sqrt(aa * bb);
    }
}

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

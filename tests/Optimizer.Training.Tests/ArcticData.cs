using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Optimizer.EndToEnd.Tests.RealData;
using Optimizer.Onnx;
using Optimizer.Passes.Data;
using Optimizer.Training.Conversion;
using Optimizer.Training.FineTuning;

namespace Optimizer.Training.Tests;

/// <summary>
/// arctic_embed_xs with real sentences (the end-to-end fixtures, tokenized with BertTokenizer), and a
/// crude FFN pruning for tests that stand in for structured pruning: zeroed neurons that masks keep at zero.
/// </summary>
internal static class ArcticData
{
    public static OnnxModel Model() => OnnxModelLoader.Load(Path.Combine(TestData.Models, ArcticEncoderData.ModelFile));

    /// <summary>The first <paramref name="count"/> of the 64 calibration sentences.</summary>
    public static EncodedSentences Training(int count = 64) => ArcticEncoderData.Encode(ArcticEncoderData.CalibrationSentences).Take(count);

    /// <summary>The 24 validation sentences (none of them in <see cref="Training"/>).</summary>
    public static EncodedSentences Validation() => ArcticEncoderData.Encode(ArcticEncoderData.ValidationSentences);

    /// <summary>The three int64 inputs as stacked samples, batchable on the first axis.</summary>
    public static StackedSamples Samples(EncodedSentences s) => new(
    [
        Input(EncodedSentences.InputIdsName, s.InputIds, s),
        Input(EncodedSentences.AttentionMaskName, s.AttentionMask, s),
        Input(EncodedSentences.TokenTypeIdsName, s.TokenTypeIds, s),
    ], batchable: true)
    { Source = $"{s.Count} sentences" };

    public static EncoderData Data(EncodedSentences s, OnnxModel model) =>
        EncoderData.From(Samples(s), model.Graph.Inputs.Select(i => i.Name).ToArray(), null, "Data");

    /// <summary>Zeroes every fifth-and-second FFN neuron (40%): rows of the 1536→384 weights and columns of the 384→1536 ones.</summary>
    public static int PruneFeedForward(OnnxModel model)
    {
        var pruned = 0;
        var initializers = model.Graph.Initializers;
        for (var i = 0; i < initializers.Count; i++)
        {
            var dims = initializers[i].Dims.ToArray();
            if (dims.Length != 2 || !(dims is [1536, 384] or [384, 1536])) continue;
            var values = initializers[i].ToFloatArray();
            for (var r = 0; r < dims[0]; r++)
                for (var c = 0; c < dims[1]; c++)
                    if ((dims[0] == 1536 ? r : c) % 5 < 2) values[r * dims[1] + c] = 0;
            initializers[i] = OnnxTensor.FromFloats(initializers[i].Name, dims, values);
            pruned++;
        }
        return pruned;
    }

    /// <summary>ONNX Runtime's last_hidden_state, [count, tokens, 384].</summary>
    public static float[] RunOrt(OnnxModel model, EncodedSentences s)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(model), options);
        int[] shape = [s.Count, s.SequenceLength];
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor(EncodedSentences.InputIdsName, new DenseTensor<long>(s.InputIds, shape)),
            NamedOnnxValue.CreateFromTensor(EncodedSentences.AttentionMaskName, new DenseTensor<long>(s.AttentionMask, shape)),
            NamedOnnxValue.CreateFromTensor(EncodedSentences.TokenTypeIdsName, new DenseTensor<long>(s.TokenTypeIds, shape)),
        ]);
        return results.First().AsTensor<float>().ToArray();
    }

    /// <summary>Mean-pooled embeddings over the attention mask, [count][384], from a [count, tokens, 384] state.</summary>
    public static float[][] Pool(float[] state, EncodedSentences s)
    {
        const int hidden = ArcticEncoderData.HiddenSize;
        var pooled = new float[s.Count][];
        for (var n = 0; n < s.Count; n++)
        {
            pooled[n] = new float[hidden];
            var tokens = 0;
            for (var t = 0; t < s.SequenceLength; t++)
            {
                if (s.AttentionMask[n * s.SequenceLength + t] == 0) continue;
                tokens++;
                for (var h = 0; h < hidden; h++) pooled[n][h] += state[(n * s.SequenceLength + t) * hidden + h];
            }
            for (var h = 0; h < hidden; h++) pooled[n][h] /= tokens;
        }
        return pooled;
    }

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++) (dot, na, nb) = (dot + a[i] * b[i], na + a[i] * a[i], nb + b[i] * b[i]);
        return dot / Math.Sqrt(na * nb);
    }

    private static StackedInput Input(string name, long[] values, EncodedSentences s) =>
        new(name, DataTensor.FromInt64(values, [s.Count, s.SequenceLength]), RowIsWholeInput: false);
}

using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>
/// What each real model of ../shared/data/models is run on when its optimized form is compared with
/// it: real data where ../shared has it (the digits test images), else inputs generated from a fixed
/// seed in the range the model's own preprocessing produces, as each method says. One feed is one
/// run of the model (every graph input named).
/// </summary>
internal static class SharedModelFeeds
{
    /// <summary>The 450 digits test images as one batch [450,1,8,8]; the first 50, one feed each, where the batch is fixed at 1.</summary>
    public static IReadOnlyList<IReadOnlyList<OnnxTensor>> DigitsTestImages(OnnxModel model, string data)
    {
        var input = model.Graph.Inputs[0].Name;
        var images = SharedData.ReadFloats(Path.Combine(data, "digits", "digits_test_x_450x64.f32"));
        if (model.Graph.Inputs[0].Type!.Shape![0].Size != 1)
            return [[OnnxTensor.FromFloats(input, [450, 1, 8, 8], images)]];
        return Enumerable.Range(0, 50).Select(i => (IReadOnlyList<OnnxTensor>)[OnnxTensor.FromFloats(input, [1, 1, 8, 8], images.AsSpan(i * 64, 64))]).ToList();
    }

    /// <summary>8 text-line crops [8,3,48,192] uniform in [−1, 1], the range PaddleOCR's (v/255 − 0.5)/0.5 normalization gives.</summary>
    public static IReadOnlyList<IReadOnlyList<OnnxTensor>> PpocrCrops(OnnxModel model, string data) =>
        [[OnnxTensor.FromFloats(model.Graph.Inputs[0].Name, [8, 3, 48, 192], GraphBuilder.Values(8 * 3 * 48 * 192, seed: 2))]];

    /// <summary>32 windows [1,25,96] of <see cref="HelloDeepa.Features"/>, standing in for openWakeWord's speech embeddings.</summary>
    public static IReadOnlyList<IReadOnlyList<OnnxTensor>> WakeWordWindows(OnnxModel model, string data)
    {
        var random = new Random(7);
        return Enumerable.Range(0, 32).Select(_ => (IReadOnlyList<OnnxTensor>)[OnnxTensor.FromFloats(model.Graph.Inputs[0].Name, [1, 25, 96], HelloDeepa.Features(random))]).ToList();
    }

    /// <summary>
    /// 2 sentences of 16 tokens from the model's own WordPiece vocabulary: [CLS], 14 whole-word ids
    /// drawn from a fixed seed, [SEP]; attention mask all 1, token types all 0 (one segment).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<OnnxTensor>> Sentences(OnnxModel model, string data)
    {
        var vocabulary = File.ReadAllLines(Path.Combine(data, "models", "arctic_embed_xs.vocab.txt")).Select(line => line.TrimEnd('\r')).ToList();
        var (cls, sep) = (vocabulary.IndexOf("[CLS]"), vocabulary.IndexOf("[SEP]"));
        var firstWord = vocabulary.FindIndex(token => token.Length > 1 && token.All(char.IsAsciiLetterLower));
        var random = new Random(11);
        const int sentences = 2, tokens = 16;
        var ids = Enumerable.Range(0, sentences).SelectMany(_ =>
            new long[] { cls }.Concat(Enumerable.Range(0, tokens - 2).Select(_ => (long)random.Next(firstWord, vocabulary.Count))).Append(sep)).ToArray();
        long[] shape = [sentences, tokens];
        return [[OnnxTensor.FromInt64s("input_ids", shape, ids), OnnxTensor.FromInt64s("attention_mask", shape, Enumerable.Repeat(1L, ids.Length).ToArray()),
            OnnxTensor.FromInt64s("token_type_ids", shape, new long[ids.Length])]];
    }

    /// <summary>4 chunks [1,512] of a 440 Hz tone at 16 kHz with uniform noise, each starting from the zero LSTM state.</summary>
    public static IReadOnlyList<IReadOnlyList<OnnxTensor>> AudioChunks(OnnxModel model, string data)
    {
        var noise = GraphBuilder.Values(4 * 512, seed: 3);
        return Enumerable.Range(0, 4).Select(chunk => (IReadOnlyList<OnnxTensor>)
        [
            OnnxTensor.FromFloats("input", [1, 512], Enumerable.Range(0, 512).Select(i => 0.5f * MathF.Sin(2 * MathF.PI * 440 * (chunk * 512 + i) / 16000f) + 0.05f * noise[chunk * 512 + i]).ToArray()),
            OnnxTensor.FromInt64s("sr", [], [16000]),
            OnnxTensor.FromFloats("h", [2, 1, 64], new float[128]),
            OnnxTensor.FromFloats("c", [2, 1, 64], new float[128]),
        ]).ToList();
    }
}

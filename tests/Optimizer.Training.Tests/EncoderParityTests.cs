using Optimizer.EndToEnd.Tests.RealData;
using Optimizer.Tests.Shared;
using Optimizer.Training.Conversion;
using Optimizer.Training.Native;
using TorchSharp;
using Xunit.Abstractions;

namespace Optimizer.Training.Tests;

/// <summary>The TorchSharp graph of a BERT-family encoder computes what ONNX Runtime computes, on real sentences.</summary>
public class EncoderParityTests(ITestOutputHelper output)
{
    [ConditionalFact("data/models")]
    public void Arctic_last_hidden_state_matches_OnnxRuntime_on_real_sentences()
    {
        var model = ArcticData.Model();
        var sentences = ArcticData.Validation();
        var expected = ArcticData.RunOrt(model, sentences);

        TorchNativeLibrary.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using var graph = TorchGraph.Create(model);
        using var _ = torch.no_grad();
        long[] shape = [sentences.Count, sentences.SequenceLength];
        var inputs = new Dictionary<string, torch.Tensor>
        {
            [EncodedSentences.InputIdsName] = torch.tensor(sentences.InputIds, shape),
            [EncodedSentences.AttentionMaskName] = torch.tensor(sentences.AttentionMask, shape),
            [EncodedSentences.TokenTypeIdsName] = torch.tensor(sentences.TokenTypeIds, shape),
        };
        var state = graph.Forward(inputs, [graph.OutputNames[0]])[graph.OutputNames[0]].contiguous();
        Assert.Equal([sentences.Count, sentences.SequenceLength, ArcticEncoderData.HiddenSize], state.shape);
        var actual = state.data<float>().ToArray();

        var worst = actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        output.WriteLine($"{sentences.Count} sentences x {sentences.SequenceLength} tokens: max |torch - ort| = {worst:E2}");
        Assert.True(worst <= 1e-4, $"max difference {worst}");
        // The embedding table, every projection and every LayerNorm scale/bias are trainable.
        Assert.Contains(graph.Parameters.Values, p => p.shape.SequenceEqual(new long[] { 30522, ArcticEncoderData.HiddenSize }));
        Assert.True(graph.Parameters.Count >= 6 * 16, $"{graph.Parameters.Count} parameters");
    }
}

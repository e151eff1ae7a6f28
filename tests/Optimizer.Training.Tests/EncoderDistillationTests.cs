using Optimizer.EndToEnd.Tests.RealData;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Optimizer.Training.FineTuning;
using Xunit.Abstractions;

namespace Optimizer.Training.Tests;

/// <summary>
/// Distillation of arctic_embed_xs (three int64 inputs, last_hidden_state out, no labels) on real
/// sentences: the pooled-embedding loss falls, the held-out cosine rises, pruned neurons stay at zero,
/// the same seed gives the same bytes, and the best epoch is the one kept.
/// </summary>
public class EncoderDistillationTests(ITestOutputHelper output)
{
    private static TrainingOptions Options(int epochs, int patience = 0) => TrainingOptions.Parse(
        new Dictionary<string, string> { ["Data"] = "train.npz", ["Epochs"] = epochs.ToString(), ["BatchSize"] = "16", ["LearningRate"] = "0.0002", ["WarmupEpochs"] = "0", ["Seed"] = "3", ["Patience"] = patience.ToString() },
        new Dictionary<string, string>());

    [ConditionalFact("data/models")]
    public void Short_distillation_of_an_ffn_pruned_encoder_lowers_the_loss_and_raises_the_held_out_cosine()
    {
        var teacher = ArcticData.Model();
        var student = ArcticData.Model();
        Assert.Equal(12, ArcticData.PruneFeedForward(student));
        using var training = ArcticData.Data(ArcticData.Training(), student);
        using var validation = ArcticData.Data(ArcticData.Validation(), student);

        var epochs = new List<CosineEpochResult>();
        var report = EncoderDistiller.Train(student, teacher, Options(3), training, validation, e => { epochs.Add(e); output.WriteLine(e.ToString()); });
        output.WriteLine(report.Summary);

        Assert.Equal(4, epochs.Count);
        Assert.All(epochs.Skip(1), e => Assert.True(double.IsFinite(e.Loss!.Value)));
        Assert.True(epochs[^1].Loss < epochs[1].Loss, $"loss {epochs[1].Loss} -> {epochs[^1].Loss}");
        var best = epochs.Skip(1).MaxBy(e => (e.MinCosine, e.MeanCosine))!;
        Assert.True(best.MinCosine > epochs[0].MinCosine, $"validation cos min {epochs[0].MinCosine} -> {best.MinCosine}");
        Assert.Contains("CosineMse on 'last_hidden_state' mean-pooled over 'attention_mask'", report.Summary);

        // What ONNX Runtime computes with the written-back weights: the cosine the last line claims, and the pruned neurons still zero.
        var sentences = ArcticData.Validation();
        var (before, after) = (ArcticData.Pool(ArcticData.RunOrt(teacher, sentences), sentences), ArcticData.Pool(ArcticData.RunOrt(student, sentences), sentences));
        var minimum = before.Zip(after, ArcticData.Cosine).Min();
        output.WriteLine($"ONNX Runtime: held-out cos min {minimum:F4}");
        Assert.InRange(minimum, best.MinCosine - 1e-3, best.MinCosine + 1e-3);
        Assert.Equal(6, student.Graph.Initializers.Count(i => i.Dims.Count == 2 && i.Dims[0] == 1536 && i.ToFloatArray().Where((_, k) => k / 384 % 5 < 2).All(v => v == 0)));
    }

    [ConditionalFact("data/models")]
    public void The_same_seed_gives_a_byte_identical_encoder()
    {
        byte[] Run()
        {
            var student = ArcticData.Model();
            ArcticData.PruneFeedForward(student);
            using var training = ArcticData.Data(ArcticData.Training(32), student);
            EncoderDistiller.Train(student, ArcticData.Model(), Options(1), training, null);
            return OnnxModelWriter.ToBytes(student);
        }

        var (first, second) = (Run(), Run());
        Assert.NotEqual(OnnxModelWriter.ToBytes(ArcticData.Model()), first);
        Assert.Equal(first, second);
    }

    [ConditionalFact("data/models")]
    public void An_unpruned_encoder_is_its_own_teacher_and_keeps_the_untrained_weights_when_no_epoch_beats_them()
    {
        var student = ArcticData.Model();
        var original = OnnxModelWriter.ToBytes(student);
        using var training = ArcticData.Data(ArcticData.Training(16), student);
        var epochs = new List<CosineEpochResult>();
        var report = EncoderDistiller.Train(student, ArcticData.Model(), Options(2, patience: 1), training, null, epochs.Add);
        output.WriteLine(report.Summary);

        Assert.InRange(epochs[0].MinCosine, 0.9999, 1.0001);
        Assert.Equal(2, epochs.Count);  // patience 1: stopped after the first epoch that was not better
        Assert.Contains("best epoch 0", report.Summary);
        Assert.Equal(original, OnnxModelWriter.ToBytes(student));
    }
}

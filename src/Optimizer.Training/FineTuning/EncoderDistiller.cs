using System.Globalization;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Schema;
using Optimizer.Runtime;
using Optimizer.Training.Conversion;
using TorchSharp;
using static TorchSharp.torch;

namespace Optimizer.Training.FineTuning;

/// <summary>
/// Distils an encoder (token ids in, <c>last_hidden_state</c> or an embedding out, no labels) from
/// its teacher: the loss compares the attention-mask mean-pooled embeddings
/// (<see cref="PooledEmbedding"/>: 1 − cosine plus relative MSE by default), the teacher's are
/// computed once with no gradients, and only the outputs are compared, so a student whose FFN width
/// or head count was pruned trains the same way. After each epoch the pooled cosine to the teacher
/// is measured on the validation samples; the best epoch's weights are kept (the untrained ones
/// when no epoch beats them) and training stops after <c>Patience</c> epochs without a better one.
/// Pruned weights stay at zero; seeded and deterministic like <see cref="FineTuner"/>.
/// </summary>
internal static class EncoderDistiller
{
    /// <summary>Samples per forward pass that does not train (teacher embeddings, validation).</summary>
    private const int EvaluationBatch = 64;

    /// <summary>
    /// Whether <paramref name="options"/> distil <paramref name="model"/> on pooled embeddings:
    /// an embedding loss declared, or <see cref="DistillationLoss.Auto"/> on a model that is not a
    /// one-float-input classifier (several or integer inputs, or a rank-3 first output).
    /// </summary>
    public static bool Applies(OnnxModel model, TrainingOptions options)
    {
        if (options.Distillation is not { } distill || distill.Loss == DistillationLoss.Kl) return false;
        if (distill.Loss != DistillationLoss.Auto) return true;
        var inputs = model.Graph.Inputs;
        return inputs.Count != 1 || inputs[0].Type?.ElementType != TensorElementType.Float
            || model.Graph.Outputs[0].Type?.Shape is { Count: 3 };
    }

    /// <exception cref="PassException">Unsupported operators, a diverged loss (OPT107x).</exception>
    public static PassReport Train(OnnxModel student, OnnxModel teacher, TrainingOptions options, EncoderData training, EncoderData? validation, Action<CosineEpochResult>? progress = null)
    {
        var fineTune = options.FineTune;
        var loss = options.Distillation!.Loss is DistillationLoss.Auto ? DistillationLoss.CosineMse : options.Distillation.Loss;
        TrainingParts.Start(fineTune);

        using var graph = TorchGraph.Create(student);
        var outputName = graph.OutputNames[0];
        using var teacherTraining = TeacherEmbeddings(teacher, training);
        var measured = validation ?? training;
        using var teacherMeasured = validation is null ? teacherTraining.alias() : TeacherEmbeddings(teacher, validation);
        var source = validation is null ? "training" : "validation";

        var masks = TrainingParts.Masks(graph);
        var parameters = graph.Parameters.Values.ToArray();
        using var optimizer = TrainingParts.Optimizer(parameters, fineTune);
        var schedule = TrainingParts.Schedule(fineTune, training.Count);
        var shuffle = TrainingParts.Shuffle(fineTune);

        var history = new List<CosineEpochResult>();
        void Record(CosineEpochResult result) { history.Add(result); progress?.Invoke(result); }
        Record(Measure(graph, outputName, measured, teacherMeasured, 0, fineTune.Epochs, null, source));
        var best = history[0];
        var bestWeights = Snapshot(graph);

        var order = Enumerable.Range(0, training.Count).Select(i => (long)i).ToArray();
        long step = 0;
        var sinceBest = 0;
        for (var epoch = 1; epoch <= fineTune.Epochs; epoch++)
        {
            shuffle.Shuffle(order);
            double lossSum = 0;
            for (var start = 0; start < training.Count; start += fineTune.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var index = torch.tensor(order.AsSpan(start, Math.Min(fineTune.BatchSize, training.Count - start)).ToArray());
                foreach (var group in optimizer.ParamGroups) group.LearningRate = schedule.At(step);
                var batch = training.Batch(index);
                var embedding = PooledEmbedding.Pool(graph.Forward(batch, [outputName])[outputName], training.Mask(batch));
                var value = PooledEmbedding.Loss(embedding, teacherTraining.index_select(0, index), loss);
                TrainingParts.Step(optimizer, value, masks);
                lossSum += TrainingParts.CheckedValue(value, epoch, fineTune) * index.shape[0];
                step++;
            }
            var result = Measure(graph, outputName, measured, teacherMeasured, epoch, fineTune.Epochs, lossSum / training.Count, source);
            Record(result);
            if (result.IsBetterThan(best))
            {
                (best, sinceBest) = (result, 0);
                Dispose(bestWeights);
                bestWeights = Snapshot(graph);
            }
            else if (fineTune.Patience > 0 && ++sinceBest >= fineTune.Patience)
            {
                break;
            }
        }

        Restore(graph, bestWeights);
        Dispose(bestWeights);
        graph.WriteBack(student);
        var heldAtZero = masks.Sum(m => m.Pruned.count_nonzero().item<long>());
        foreach (var (_, pruned) in masks) pruned.Dispose();
        return Report(options, loss, training, outputName, history, best, heldAtZero, parameters.Sum(p => p.numel()));
    }

    /// <summary>The teacher's pooled embedding of every sample, [count, hidden], with no gradients.</summary>
    private static Tensor TeacherEmbeddings(OnnxModel teacher, EncoderData data)
    {
        using var graph = TorchGraph.Create(teacher, PassSchema.Distill.Name);
        return Embeddings(graph, graph.OutputNames[0], data);
    }

    private static Tensor Embeddings(TorchGraph graph, string outputName, EncoderData data)
    {
        using var _ = torch.no_grad();
        var parts = new List<Tensor>();
        for (long start = 0; start < data.Count; start += EvaluationBatch)
        {
            using var scope = torch.NewDisposeScope();
            var batch = data.Slice(start, Math.Min(EvaluationBatch, data.Count - start));
            parts.Add(PooledEmbedding.Pool(graph.Forward(batch, [outputName])[outputName], data.Mask(batch)).detach().MoveToOuterDisposeScope());
        }
        var all = torch.cat(parts.ToArray(), 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    private static CosineEpochResult Measure(TorchGraph graph, string outputName, EncoderData data, Tensor teacher, int epoch, int epochs, double? loss, string source)
    {
        using var scope = torch.NewDisposeScope();
        var cosines = PooledEmbedding.Cosines(Embeddings(graph, outputName, data), teacher);
        return new CosineEpochResult(epoch, epochs, loss, cosines.min().item<float>(), cosines.mean().item<float>(), source);
    }

    private static Dictionary<string, Tensor> Snapshot(TorchGraph graph) =>
        graph.Parameters.ToDictionary(p => p.Key, p => p.Value.detach().clone(), StringComparer.Ordinal);

    private static void Restore(TorchGraph graph, Dictionary<string, Tensor> weights)
    {
        using var _ = torch.no_grad();
        foreach (var (name, parameter) in graph.Parameters) parameter.copy_(weights[name]);
    }

    private static void Dispose(Dictionary<string, Tensor> weights)
    {
        foreach (var t in weights.Values) t.Dispose();
    }

    private static PassReport Report(TrainingOptions options, DistillationLoss loss, EncoderData training, string outputName, List<CosineEpochResult> history, CosineEpochResult best, long heldAtZero, long weights)
    {
        static string Number(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
        var fineTune = options.FineTune;
        var ran = history[^1].Epoch;
        var stopped = ran < fineTune.Epochs ? $" (stopped early: {fineTune.Patience} epochs without a better cosine)" : "";
        var pooled = training.MaskName is null ? $"'{outputName}' mean-pooled" : $"'{outputName}' mean-pooled over '{training.MaskName}'";
        var first = history[0];
        var summary = $"{ran} of {fineTune.Epochs} epochs{stopped}, best epoch {best.Epoch}, {fineTune.Optimizer} lr {fineTune.LearningRate.ToString(CultureInfo.InvariantCulture)}, "
                      + $"distillation ({loss} on {pooled}), {training.Count} samples: {first.Source} cos min {Number(first.MinCosine)} → {Number(best.MinCosine)}, "
                      + $"mean {Number(first.MeanCosine)} → {Number(best.MeanCosine)}; {heldAtZero} pruned weights held at zero of {weights}";
        var changes = history.Skip(1).Select(e => new PassChange($"epoch {e.Epoch}", e.ToString()[(e.ToString().IndexOf(':') + 2)..])).ToList();
        return new PassReport($"{PassSchema.FineTune.Name}+{PassSchema.Distill.Name}", summary, changes, []);
    }
}

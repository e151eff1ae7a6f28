using Optimizer.Passes.Schema;
using Optimizer.Runtime;
using System.Globalization;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Training.Conversion;
using Optimizer.Training.Native;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Optimizer.Training.FineTuning;

/// <summary>
/// Fine-tunes a (pruned) model's weights in place: masks hold pruned weights at exactly zero,
/// loss = α·CE(labels) + (1−α)·T²·KL(teacher ‖ student) with distillation (CE alone without it,
/// the KL term alone without labels), Adam or SGD with warm-up then cosine decay. Seeded and
/// deterministic on CPU: torch's seed, a fixed thread count and the
/// shuffle drawn from the seed, so the same inputs give byte-identical weights.
/// </summary>
public static class FineTuner
{
    /// <summary>Intra-op threads: fixed, not the machine's core count, so results do not depend on the machine.</summary>
    public const int Threads = 1;

    /// <summary>Batch size for forward passes that do not train (teacher outputs, accuracy).</summary>
    private const int EvaluationBatch = 256;

    /// <summary>
    /// Trains <paramref name="student"/>'s weights in place and returns what happened.
    /// </summary>
    /// <param name="student">The model to train (e.g. after pruning); only its initializers change.</param>
    /// <param name="teacher">The model whose outputs the student learns with [Distill]; null without.</param>
    /// <param name="options">Parsed [FineTune]/[Distill] options.</param>
    /// <param name="training">Training samples and (optional) labels.</param>
    /// <param name="validation">Samples and labels for the per-epoch accuracy, or null.</param>
    /// <param name="progress">Called with each epoch's figures as it ends (and once before training).</param>
    /// <exception cref="PassException">Unsupported operators, unusable data, a diverged loss (OPT107x).</exception>
    public static PassReport Train(OnnxModel student, OnnxModel? teacher, TrainingOptions options, TrainingSet training, TrainingSet? validation, Action<EpochResult>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(training);
        if (options.Distill && teacher is null)
            throw new ArgumentException("Distillation needs a teacher model.", nameof(teacher));

        TrainingParts.Start(options.FineTune);

        using var graph = TorchGraph.Create(student);
        var inputShape = SampleShape(student, training.Inputs, nameof(FineTuneAttribute.Data));
        var count = training.Inputs.SampleCount;
        var logitsName = graph.LogitsName();
        using var inputs = torch.tensor(training.Inputs.Values, [count, .. inputShape]);
        using var labels = training.Labels is { } l ? Labels(l, count, nameof(FineTuneAttribute.Labels)) : null;

        using var teacherLogits = options.Distill ? TeacherLogits(teacher!, inputs) : null;

        var masks = TrainingParts.Masks(graph);
        var parameters = graph.Parameters.Values.ToArray();
        using var optimizer = TrainingParts.Optimizer(parameters, options.FineTune);

        var (evalInputs, evalLabels, source) = EvaluationData(student, training, validation, labels, teacherLogits, inputs);
        using var evalInputsTensor = evalInputs;
        using var evalLabelsTensor = evalLabels;
        var history = new List<EpochResult>();
        void Record(EpochResult result) { history.Add(result); progress?.Invoke(result); }
        Record(new EpochResult(0, options.FineTune.Epochs, null, Accuracy(graph, logitsName, evalInputs, evalLabels), source));

        var schedule = TrainingParts.Schedule(options.FineTune, count);
        var shuffle = TrainingParts.Shuffle(options.FineTune);
        var order = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        long step = 0;
        for (var epoch = 1; epoch <= options.FineTune.Epochs; epoch++)
        {
            shuffle.Shuffle(order);
            double lossSum = 0;
            for (var start = 0; start < count; start += options.FineTune.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var index = torch.tensor(order.AsSpan(start, Math.Min(options.FineTune.BatchSize, count - start)).ToArray());
                foreach (var group in optimizer.ParamGroups) group.LearningRate = schedule.At(step);
                var logits = graph.Forward(inputs.index_select(0, index), logitsName);
                var loss = Loss(logits, labels?.index_select(0, index), teacherLogits?.index_select(0, index), options);
                TrainingParts.Step(optimizer, loss, masks);
                var value = TrainingParts.CheckedValue(loss, epoch, options.FineTune);
                lossSum += value * index.shape[0];
                step++;
            }
            Record(new EpochResult(epoch, options.FineTune.Epochs, lossSum / count, Accuracy(graph, logitsName, evalInputs, evalLabels), source));
        }

        graph.WriteBack(student);
        var heldAtZero = masks.Sum(m => m.Pruned.count_nonzero().item<long>());
        foreach (var (_, pruned) in masks) pruned.Dispose();
        return Report(options, count, history, heldAtZero, parameters.Sum(p => p.numel()));
    }

    private static Tensor Loss(Tensor logits, Tensor? labels, Tensor? teacherLogits, TrainingOptions options)
    {
        Tensor? crossEntropy = labels is null ? null : F.cross_entropy(logits, labels);
        if (teacherLogits is null) return crossEntropy!;
        var t = options.Distillation!.Temperature;
        var teacherLog = F.log_softmax(teacherLogits / t, 1);
        var studentLog = F.log_softmax(logits / t, 1);
        // KL(teacher ‖ student), averaged over the batch, scaled by T² so its gradients keep their size as T changes.
        var kl = (teacherLog.exp() * (teacherLog - studentLog)).sum(1).mean() * (t * t);
        return crossEntropy is null ? kl : crossEntropy * options.Distillation!.Alpha + kl * (1 - options.Distillation!.Alpha);
    }

    private static Tensor TeacherLogits(OnnxModel teacher, Tensor inputs)
    {
        using var graph = TorchGraph.Create(teacher, PassSchema.Distill.Name);
        var name = graph.LogitsName();
        using var _ = torch.no_grad();
        var parts = new List<Tensor>();
        for (long start = 0; start < inputs.shape[0]; start += EvaluationBatch)
            parts.Add(graph.Forward(inputs.narrow(0, start, Math.Min(EvaluationBatch, inputs.shape[0] - start)), name).detach());
        var all = torch.cat(parts.ToArray(), 0);
        foreach (var p in parts) p.Dispose();
        return all.reshape(all.shape[0], -1);
    }

    private static (Tensor? Inputs, Tensor? Labels, string Source) EvaluationData(OnnxModel student, TrainingSet training, TrainingSet? validation, Tensor? labels, Tensor? teacherLogits, Tensor inputs)
    {
        if (validation?.Labels is { } validationLabels)
        {
            var shape = SampleShape(student, validation.Inputs, nameof(FineTuneAttribute.Validation));
            return (torch.tensor(validation.Inputs.Values, [validation.Inputs.SampleCount, .. shape]), Labels(validationLabels, validation.Inputs.SampleCount, "ValidationLabels"), "validation");
        }
        if (labels is not null)
            return (inputs.alias(), labels.alias(), "training");
        return (inputs.alias(), teacherLogits!.argmax(1), "teacher-agreement");
    }

    private static double? Accuracy(TorchGraph graph, string logitsName, Tensor? inputs, Tensor? labels)
    {
        if (inputs is null || labels is null) return null;
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        long correct = 0;
        for (long start = 0; start < inputs.shape[0]; start += EvaluationBatch)
        {
            var length = Math.Min(EvaluationBatch, inputs.shape[0] - start);
            var logits = graph.Forward(inputs.narrow(0, start, length), logitsName);
            correct += logits.reshape(length, -1).argmax(1).eq(labels.narrow(0, start, length)).sum().item<long>();
        }
        return (double)correct / inputs.shape[0];
    }

    /// <summary>The model input's dimensions after the first when they are fixed and hold a sample; else the data's own.</summary>
    private static long[] SampleShape(OnnxModel model, Passes.Calibration.CalibrationDataSet data, string option)
    {
        if (model.Graph.Inputs.Count != 1)
            throw TrainingException.Create(TrainingErrorCodes.DataInvalid, $"training supports models with one input; this one has {model.Graph.Inputs.Count}.");
        var dims = model.Graph.Inputs[0].Type?.Shape;
        var own = data.Shape.Skip(1).ToArray();
        if (dims is { Count: >= 2 } && dims.Skip(1).All(d => d.Size is not null))
        {
            var fixedShape = dims.Skip(1).Select(d => d.Size!.Value).ToArray();
            if (fixedShape.Aggregate(1L, (p, d) => p * d) == data.SampleSize) return fixedShape;
            throw TrainingException.Create(TrainingErrorCodes.DataInvalid,
                $"the {option} samples hold {data.SampleSize} values each but the model input takes [{string.Join(", ", fixedShape)}] ({fixedShape.Aggregate(1L, (p, d) => p * d)} values). Check the file.");
        }
        return own;
    }

    private static Tensor Labels(int[] labels, int count, string option)
    {
        if (labels.Length != count)
            throw TrainingException.Create(TrainingErrorCodes.DataInvalid, $"{option} holds {labels.Length} labels for {count} samples. Give one label per sample.");
        if (labels.Any(l => l < 0))
            throw TrainingException.Create(TrainingErrorCodes.DataInvalid, $"{option} holds a negative label; labels are class indices from 0.");
        return torch.tensor(labels.Select(l => (long)l).ToArray());
    }

    private static PassReport Report(TrainingOptions options, int count, List<EpochResult> history, long heldAtZero, long weights)
    {
        string Accuracy(EpochResult e) => e.Accuracy is { } a ? (a * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "n/a";
        var first = history[0];
        var last = history[^1];
        var loss = options.Distill
            ? (options.FineTune.Labels is null ? "distillation" : $"distillation (T={options.Distillation!.Temperature.ToString(CultureInfo.InvariantCulture)}, alpha={options.Distillation!.Alpha.ToString(CultureInfo.InvariantCulture)})")
            : "cross-entropy";
        var summary = $"{options.FineTune.Epochs} epochs, {options.FineTune.Optimizer} lr {options.FineTune.LearningRate.ToString(CultureInfo.InvariantCulture)}, {loss}, {count} samples: "
                      + $"{first.AccuracySource} accuracy {Accuracy(first)} → {Accuracy(last)}; {heldAtZero} pruned weights held at zero of {weights}";
        var changes = history.Skip(1).Select(e => new PassChange($"epoch {e.Epoch}", e.ToString()[(e.ToString().IndexOf(':') + 2)..])).ToList();
        return new PassReport(options.Distill ? $"{PassSchema.FineTune.Name}+{PassSchema.Distill.Name}" : PassSchema.FineTune.Name, summary, changes, []);
    }
}

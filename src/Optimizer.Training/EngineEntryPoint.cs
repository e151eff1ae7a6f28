using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Passes.Schema;
using Optimizer.Runtime;
using Optimizer.Training.FineTuning;

namespace Optimizer.Training;

/// <summary>
/// What the engine calls (by reflection: it loads this assembly only when a plan declares training)
/// with types both sides share: the IR, the plan's option strings and the parsed data files.
/// </summary>
public static class EngineEntryPoint
{
    /// <summary>Trains <paramref name="student"/>'s weights in place; see <see cref="FineTuner.Train"/>.</summary>
    /// <param name="student">The pipeline's working model, after pruning.</param>
    /// <param name="teacher">The original (or declared) model, used with [Distill].</param>
    /// <param name="fineTune">[FineTune] options as the plan holds them, or null when only [Distill] is declared (an error).</param>
    /// <param name="distill">[Distill] options, or null.</param>
    /// <param name="data">The <c>Data</c> samples (null when Data is not set: reported as an error).</param>
    /// <param name="labels">The <c>Labels</c>, or null.</param>
    /// <param name="validation">Samples for the per-epoch accuracy, or null.</param>
    /// <param name="validationLabels">Their labels, or null.</param>
    /// <param name="progress">Receives one line per epoch.</param>
    /// <exception cref="PassException">Options, data or operators training cannot use (OPT1071–OPT1079).</exception>
    public static PassReport Train(OnnxModel student, OnnxModel teacher,
        IReadOnlyDictionary<string, string>? fineTune, IReadOnlyDictionary<string, string>? distill,
        CalibrationDataSet? data, int[]? labels, CalibrationDataSet? validation, int[]? validationLabels, Action<string> progress)
    {
        var options = TrainingOptions.Parse(fineTune, distill);
        if (EncoderDistiller.Applies(student, options))
        {
            var input = student.Graph.Inputs[0].Name;
            using var samples = EncoderData.From(input, data!);
            using var heldOut = validation is null ? null : EncoderData.From(input, validation);
            return EncoderDistiller.Train(student, teacher, options, samples, heldOut, e => progress(e.ToString()));
        }
        var training = new TrainingSet(data!, labels);
        var held = validation is not null && validationLabels is not null ? new TrainingSet(validation, validationLabels) : null;
        return FineTuner.Train(student, options.Distill ? teacher : null, options, training, held, e => progress(e.ToString()));
    }

    /// <summary>
    /// Distils an encoder from the data files as the data layer reads them (an <c>.npz</c> with one
    /// array per model input, any element type); see <see cref="EncoderDistiller"/>.
    /// </summary>
    /// <param name="student">The pipeline's working model, after pruning.</param>
    /// <param name="teacher">The original (or declared) model.</param>
    /// <param name="fineTune">[FineTune] options as the plan holds them, or null (an error).</param>
    /// <param name="distill">[Distill] options, or null (an error: there are no labels to learn from).</param>
    /// <param name="data">The <c>Data</c> samples (null when Data is not set: reported as an error).</param>
    /// <param name="validation">Samples for the per-epoch cosine and early stopping, or null (the training data is measured).</param>
    /// <param name="progress">Receives one line per epoch.</param>
    /// <exception cref="PassException">Options, data or operators training cannot use (OPT1071–OPT1079).</exception>
    public static PassReport TrainSamples(OnnxModel student, OnnxModel teacher,
        IReadOnlyDictionary<string, string>? fineTune, IReadOnlyDictionary<string, string>? distill,
        SampleSet? data, SampleSet? validation, Action<string> progress)
    {
        var options = TrainingOptions.Parse(fineTune, distill);
        if (!EncoderDistiller.Applies(student, options))
            throw TrainingException.Create(TrainingErrorCodes.InvalidOption,
                $"[{PassSchema.Distill.Name}] Loss = {options.Distillation!.Loss} needs one float input with class logits out; this model has {student.Graph.Inputs.Count} input(s). Use Loss = Auto, Cosine, Mse or CosineMse.", PassSchema.Distill.Name);
        var inputs = student.Graph.Inputs.Select(i => i.Name).ToArray();
        var mask = options.Distillation!.AttentionMask;
        using var samples = EncoderData.From(data!, inputs, mask, nameof(FineTuneAttribute.Data));
        using var held = validation is null ? null : EncoderData.From(validation, inputs, mask, nameof(FineTuneAttribute.Validation));
        return EncoderDistiller.Train(student, teacher, options, samples, held, e => progress(e.ToString()));
    }
}

using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
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
        var training = new TrainingSet(data!, labels);
        var held = validation is not null && validationLabels is not null ? new TrainingSet(validation, validationLabels) : null;
        return FineTuner.Train(student, options.Distill ? teacher : null, options, training, held, e => progress(e.ToString()));
    }
}

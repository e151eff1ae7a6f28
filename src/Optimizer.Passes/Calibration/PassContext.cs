using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;

namespace Optimizer.Passes;

/// <summary>
/// What passes may need beyond the model and their options, supplied by the caller so passes
/// stay free of I/O: calibration samples already read and matched to the model's inputs (keyed by
/// the path exactly as the plan declares it), a model executor, and an optional cache of calibration results.
/// </summary>
public sealed class PassContext
{
    /// <summary>A context with no data, no executor and no cache.</summary>
    public static PassContext Empty { get; } = new();

    /// <summary>Calibration samples by declared path (e.g. <c>Data/calib.npz</c>), matched case-sensitively.</summary>
    public IReadOnlyDictionary<string, SampleSet> CalibrationData { get; init; } = new Dictionary<string, SampleSet>();

    /// <summary>Runs float models for calibration; null when the caller cannot run models.</summary>
    public IModelExecutor? Executor { get; init; }

    /// <summary>Caches calibration results across builds; null for no cache.</summary>
    public ICalibrationCache? CalibrationCache { get; init; }

    /// <summary>A step to run after pruning and before quantization (the engine's training hook); null for none.</summary>
    public IPipelineStep? AfterPruning { get; init; }
}

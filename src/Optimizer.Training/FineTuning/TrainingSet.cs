using Optimizer.Passes.Calibration;

namespace Optimizer.Training.FineTuning;

/// <summary>Samples (float32, samples first) and their optional class labels.</summary>
/// <param name="Inputs">The inputs, as the .npy / raw float32 parsers return them.</param>
/// <param name="Labels">One class index per sample, or null.</param>
public sealed record TrainingSet(CalibrationDataSet Inputs, int[]? Labels);

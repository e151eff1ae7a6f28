namespace Optimizer.Runtime;

/// <summary>
/// Fails the build when the optimized model strays too far from the original on validation data:
/// its top-1 accuracy falls more than <see cref="MaxDrop"/> (classifiers), or the cosine similarity
/// of its outputs falls below <see cref="MinCosine"/> (encoders, detectors, any model).
/// </summary>
[OptimizationPass(PipelineStage.Check, "Fails the build when the optimized model loses more accuracy (top-1) or fidelity (cosine) than allowed.", ItemKey = nameof(MaxDrop) + "|" + nameof(MinCosine))]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
sealed partial class AccuracyBudgetAttribute : Attribute
{
    /// <summary>Largest allowed drop in top-1 accuracy, as a fraction from 0 to 1 (0.01 = one percentage point).</summary>
    [PassOption("Largest allowed drop in top-1 accuracy, as a fraction (0.01 = one point).", Min = 0, Max = 1, MaxExclusive = true)]
    public double MaxDrop { get; set; } = 0.01;

    /// <summary>
    /// Smallest allowed cosine similarity between the optimized and the original model's outputs,
    /// per sample and per output (sentence embeddings are mean-pooled over tokens first), from 0 to 1;
    /// 0 (the default) checks none. When set without <see cref="MaxDrop"/>, only the cosine is checked.
    /// </summary>
    [PassOption("Smallest allowed per-sample cosine similarity of each output to the original's (0: not checked).", Min = 0, Max = 1)]
    public double MinCosine { get; set; }

    /// <summary>Validation inputs (a <c>.npz</c> with one array per model input, a folder of ONNX <c>test_data_set_*</c> feeds, or for single-input models a <c>.npy</c> or raw float32 file), relative to the project folder.</summary>
    [PassOption("Validation inputs (.npz with one array per input, a test_data_set_* folder, .npy or raw float32), relative to the project folder.", DataFile = true)]
    public string? Validation { get; set; }

    /// <summary>
    /// Labels for <see cref="Validation"/>, one class index per sample. When omitted, the original
    /// model's predictions are the reference (agreement instead of accuracy).
    /// </summary>
    [PassOption("One class index per validation sample; default: the original model's predictions.", DataFile = true)]
    public string? Labels { get; set; }
}

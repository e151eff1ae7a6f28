namespace Optimizer.Runtime;

/// <summary>
/// Fails the build when the optimized model's top-1 accuracy on validation data falls more than
/// <see cref="MaxDrop"/> below the original model's.
/// </summary>
[OptimizationPass(PipelineStage.Check, "Fails the build when the optimized model loses more top-1 accuracy than allowed.", ItemKey = nameof(MaxDrop))]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
sealed partial class AccuracyBudgetAttribute : Attribute
{
    /// <summary>Largest allowed drop in top-1 accuracy, as a fraction from 0 to 1 (0.01 = one percentage point).</summary>
    [PassOption("Largest allowed drop in top-1 accuracy, as a fraction (0.01 = one point).", Min = 0, Max = 1, MaxExclusive = true)]
    public double MaxDrop { get; set; } = 0.01;

    /// <summary>Validation inputs (a <c>.npy</c> or raw tensor file, relative to the project folder).</summary>
    [PassOption("Validation inputs (.npy or raw float32), relative to the project folder.", DataFile = true)]
    public string? Validation { get; set; }

    /// <summary>
    /// Labels for <see cref="Validation"/>, one class index per sample. When omitted, the original
    /// model's predictions are the reference (agreement instead of accuracy).
    /// </summary>
    [PassOption("One class index per validation sample; default: the original model's predictions.", DataFile = true)]
    public string? Labels { get; set; }
}

namespace Optimizer.Runtime;

/// <summary>
/// Fails the build when the optimized model's top-1 accuracy on validation data falls more than
/// <see cref="MaxDrop"/> below the original model's.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AccuracyBudgetAttribute : Attribute
{
    /// <summary>Largest allowed drop in top-1 accuracy, as a fraction from 0 to 1 (0.01 = one percentage point).</summary>
    public double MaxDrop { get; set; }

    /// <summary>Validation inputs (a <c>.npy</c> or raw tensor file, relative to the project folder).</summary>
    public string? Validation { get; set; }

    /// <summary>
    /// Labels for <see cref="Validation"/>, one class index per sample. When omitted, the original
    /// model's predictions are the reference (agreement instead of accuracy).
    /// </summary>
    public string? Labels { get; set; }
}

namespace Optimizer.Runtime;

/// <summary>
/// Prunes (zeroes or removes) weights of the model declared by <see cref="OnnxModelAttribute"/>
/// on the same class at build time. Pruning runs before quantization.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PruneAttribute : Attribute
{
    /// <summary>Fraction of prunable weights to remove, from 0 (none) to below 1 (for example 0.5).</summary>
    public double Sparsity { get; set; }

    /// <summary>Which weights are removed together; default <see cref="PruneStructure.Unstructured"/>.</summary>
    public PruneStructure Structure { get; set; }

    /// <summary>Whether <see cref="Sparsity"/> applies across the whole model (default) or per layer.</summary>
    public PruneScope Scope { get; set; }

    /// <summary>Filter importance for <see cref="PruneStructure.Channel"/>; default <see cref="PruneNorm.L1"/>.</summary>
    public PruneNorm Norm { get; set; }

    /// <summary>How global unstructured pruning compares layers; default <see cref="PruneRanking.Lamp"/>.</summary>
    public PruneRanking Ranking { get; set; }

    /// <summary>
    /// Data (a <c>.npy</c> or raw float32 file, relative to the project folder) over which pruned
    /// layers' biases are corrected for the mean output shift the pruning causes (b' = b − (W'−W)·E[x]).
    /// Defaults to the <see cref="QuantizeAttribute.Calibration"/> data of a static INT8
    /// quantization declared on the same class; without data no correction is made (and the
    /// report says so).
    /// </summary>
    public string? Calibration { get; set; }

    /// <summary>Bias correction after unstructured and 2:4 pruning when data is available; default <see langword="true"/>.</summary>
    public bool BiasCorrection { get; set; } = true;

    /// <summary>
    /// Node or initializer names to leave untouched, separated by <c>;</c>; <c>*</c> matches any
    /// characters (for example <c>"classifier*;conv1"</c>). Default: none.
    /// </summary>
    public string? Exclude { get; set; }
}

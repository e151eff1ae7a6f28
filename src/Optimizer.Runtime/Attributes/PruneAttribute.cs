namespace Optimizer.Runtime;

/// <summary>
/// Prunes (zeroes or removes) weights of the model declared by <see cref="OnnxModelAttribute"/>
/// on the same class at build time. Pruning runs before quantization.
/// </summary>
[OptimizationPass(PipelineStage.Pruning, "Zeroes or removes the least important weights.", ItemKey = nameof(Sparsity))]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
sealed partial class PruneAttribute : Attribute
{
    /// <summary>Fraction of prunable weights to remove, from 0 (none) to below 1 (for example 0.5).</summary>
    [PassOption("Fraction of prunable weights to remove.", Min = 0, MinExclusive = true, Max = 1, MaxExclusive = true)]
    public double Sparsity { get; set; } = 0.5;

    /// <summary>Which weights are removed together; default <see cref="PruneStructure.Unstructured"/>.</summary>
    [PassOption("Which weights are removed together.")]
    public PruneStructure Structure { get; set; }

    /// <summary>Whether <see cref="Sparsity"/> applies across the whole model (default) or per layer.</summary>
    [PassOption("One ranking across the model, or the same fraction from every layer.")]
    public PruneScope Scope { get; set; }

    /// <summary>
    /// Filter importance for <see cref="PruneStructure.Channel"/>, and for encoder neurons and heads
    /// (<see cref="PruneStructure.AttentionHead"/>) when no <see cref="Calibration"/> data ranks them; default <see cref="PruneNorm.L1"/>.
    /// </summary>
    [PassOption("Filter importance for Structure=Channel (and encoder neurons or heads without Calibration data).")]
    public PruneNorm Norm { get; set; }

    /// <summary>How global unstructured pruning compares layers; default <see cref="PruneRanking.Lamp"/>.</summary>
    [PassOption("How global unstructured pruning compares layers.")]
    public PruneRanking Ranking { get; set; }

    /// <summary>
    /// Data (a <c>.npy</c> or raw float32 file, relative to the project folder) over which pruned
    /// layers' biases are corrected for the mean output shift the pruning causes (b' = b − (W'−W)·E[x]).
    /// Defaults to the <see cref="QuantizeAttribute.Calibration"/> data of a static INT8
    /// quantization declared on the same class; without data no correction is made (and the
    /// report says so). On a transformer encoder with <see cref="PruneStructure.Channel"/> or
    /// <see cref="PruneStructure.AttentionHead"/>, the same data ranks FFN neurons and heads by their
    /// activations (without it, by weight magnitude).
    /// </summary>
    [PassOption("Data for bias correction, and for ranking encoder neurons and heads; default: the StaticInt8 Quantize calibration data.", DataFile = true, ItemMetadata = "")]
    public string? Calibration { get; set; }

    /// <summary>Bias correction after unstructured and 2:4 pruning when data is available; default <see langword="true"/>.</summary>
    [PassOption("Correct pruned layers' biases for their mean output shift when data is available.")]
    public bool BiasCorrection { get; set; } = true;

    /// <summary>
    /// Node or initializer names to leave untouched, separated by <c>;</c>; <c>*</c> matches any
    /// characters (for example <c>"classifier*;conv1"</c>). Default: none.
    /// </summary>
    [PassOption("Node or initializer names left untouched, separated by ; (* matches any characters).")]
    public string? Exclude { get; set; }
}

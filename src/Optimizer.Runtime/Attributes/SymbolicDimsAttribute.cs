namespace Optimizer.Runtime;

/// <summary>
/// Sizes the model's symbolic dimensions (e.g. <c>sequence_length</c>) wherever no data gives
/// them: generated verification inputs and the timing of the speed check and benchmarks. Without
/// it, a symbolic first (batch) dimension is 1 and any other is 128, and every figure says so.
/// </summary>
[OptimizationPass(PipelineStage.Check, "Sizes symbolic dimensions where no data gives them (generated inputs, timing).", ItemKey = nameof(Dims))]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
sealed partial class SymbolicDimsAttribute : Attribute
{
    /// <param name="dims">Sizes by dimension name, e.g. <c>"sequence_length=128;batch_size=1"</c>.</param>
    public SymbolicDimsAttribute(string dims) => Dims = dims;

    /// <summary>Sizes by dimension name, <c>name=size</c> pairs separated by <c>;</c> or <c>,</c>.</summary>
    [PassOption("Sizes of symbolic dimensions by name, e.g. sequence_length=128;batch_size=1.", ItemMetadata = "SymbolicDims")]
    public string Dims { get; }
}

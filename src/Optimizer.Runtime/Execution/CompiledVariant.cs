namespace Optimizer.Runtime;

/// <summary>
/// One of several compiled kernel programs the build embedded for a model (e.g. <c>int8</c> for
/// CPUs with INT8 dot products, <c>fp32</c> for the others); the runtime picks one by the CPU's
/// features, or the one <see cref="ModelOptions.Variant"/> names.
/// </summary>
/// <param name="Name">The variant's name, e.g. <c>int8</c> or <c>fp32</c>.</param>
/// <param name="ResourceName">The manifest resource name of its kernel program.</param>
/// <param name="Requires">What the CPU needs for this variant to be preferred: <c>int8-dot-product</c> (the int8 kernels run on dot-product instructions there: <see cref="Compiled.KernelIsa.Int8DotProduct"/>) or null (any CPU).</param>
/// <param name="Schedule">Its steps as generated C#, or null to interpret the program.</param>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record CompiledVariant(string Name, string ResourceName, string? Requires, GeneratedSchedule? Schedule);

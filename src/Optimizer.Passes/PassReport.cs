namespace Optimizer.Passes;

/// <summary>What one pass did to the model.</summary>
/// <param name="Pass">The pass name, e.g. <c>Quantize</c>.</param>
/// <param name="Summary">One line for the build output, e.g. <c>DynamicInt8: 3 of 3 MatMul/Gemm quantized</c>.</param>
/// <param name="Changed">Each node the pass rewrote, with what it did.</param>
/// <param name="Skipped">Each candidate node the pass left unchanged, with why.</param>
public sealed record PassReport(string Pass, string Summary, IReadOnlyList<PassChange> Changed, IReadOnlyList<PassSkip> Skipped)
{
    /// <summary>Set when the pass did nothing, or less than its declaration asked for; null when it did what was declared.</summary>
    public PassShortfall? Shortfall { get; init; }
}

/// <summary>A node a pass rewrote.</summary>
/// <param name="Node">The node's name (its first output's name when the node is unnamed).</param>
/// <param name="Detail">What was done, with per-layer figures.</param>
public sealed record PassChange(string Node, string Detail);

/// <summary>A node a pass could have changed but left as it was.</summary>
/// <param name="Node">The node's name (its first output's name when the node is unnamed).</param>
/// <param name="Reason">Why it was left unchanged.</param>
public sealed record PassSkip(string Node, string Reason);

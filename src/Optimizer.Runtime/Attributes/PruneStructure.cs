namespace Optimizer.Runtime;

/// <summary>Which weights <see cref="PruneAttribute"/> removes together.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum PruneStructure
{
    /// <summary>Individual weights of smallest magnitude (smaller file; speed-up needs sparse kernels).</summary>
    Unstructured,

    /// <summary>
    /// Whole output channels or neurons (smaller dense layers; faster everywhere). On a transformer encoder:
    /// the FFN's intermediate neurons (W1's columns and W2's rows), the same fraction from every block; the residual width stays.
    /// </summary>
    Channel,

    /// <summary>2 of every 4 consecutive weights (2:4 sparsity, accelerated by recent GPUs). Implies 50% sparsity.</summary>
    NM2x4,

    /// <summary>
    /// Whole attention heads of a transformer encoder (Q/K/V columns and output-projection rows, the head count in the
    /// Reshape shapes rewritten), the same fraction from every block, at least one head kept; the residual width stays.
    /// </summary>
    AttentionHead,
}

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

    /// <summary>Whole output channels or neurons (smaller dense layers; faster everywhere).</summary>
    Channel,

    /// <summary>2 of every 4 consecutive weights (2:4 sparsity, accelerated by recent GPUs). Implies 50% sparsity.</summary>
    NM2x4,
}

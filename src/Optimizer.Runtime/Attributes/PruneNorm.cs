namespace Optimizer.Runtime;

/// <summary>How <see cref="PruneStructure.Channel"/> pruning measures a filter's importance.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum PruneNorm
{
    /// <summary>The sum of absolute weights (the default).</summary>
    L1,

    /// <summary>The Euclidean norm of the weights.</summary>
    L2,
}

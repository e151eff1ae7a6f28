namespace Optimizer.Runtime;

/// <summary>Where <see cref="PruneAttribute"/> ranks weights to pick the ones to remove.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum PruneScope
{
    /// <summary>
    /// The default: weights are ranked across all layers (by LAMP score unless
    /// <see cref="PruneAttribute.Ranking"/> says otherwise), so layers lose different fractions.
    /// One threshold keeps far more accuracy than the same fraction taken from every layer.
    /// </summary>
    Global,

    /// <summary>Each layer loses the same fraction of its weights.</summary>
    Layer,
}

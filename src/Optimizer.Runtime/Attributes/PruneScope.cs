namespace Optimizer.Runtime;

/// <summary>Where <see cref="PruneAttribute"/> ranks weights to pick the ones to remove.</summary>
public enum PruneScope
{
    /// <summary>Each layer loses the same fraction of its weights.</summary>
    Layer,

    /// <summary>Weights are ranked across all layers, so layers lose different fractions.</summary>
    Global,
}

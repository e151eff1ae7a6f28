namespace Optimizer.Runtime;

/// <summary>How <see cref="PruneScope.Global"/> unstructured pruning compares weights of different layers.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum PruneRanking
{
    /// <summary>
    /// The default: layer-adaptive magnitude scores (LAMP, Lee et al. 2021), which rescale each
    /// layer's magnitudes so one threshold is fair to layers of different scales.
    /// </summary>
    Lamp,

    /// <summary>Raw weight magnitudes, as PyTorch's global magnitude pruning ranks them.</summary>
    Magnitude,
}

namespace Optimizer.Passes.Pruning;

/// <summary>Which weights a prune removes.</summary>
internal enum PruneStructure
{
    /// <summary>Individual weights with the smallest magnitudes are set to zero.</summary>
    Unstructured,

    /// <summary>Whole output channels (filters / output units) are removed from the model.</summary>
    Channel,

    /// <summary>In every group of 4 consecutive weights along the reduction axis, 2 are zeroed.</summary>
    NM2x4,
}

/// <summary>Where the sparsity target applies.</summary>
internal enum PruneScope
{
    /// <summary>Each layer loses the same fraction of its weights.</summary>
    Layer,

    /// <summary>One magnitude threshold across all prunable layers.</summary>
    Global,
}

/// <summary>How a filter's importance is measured for channel pruning.</summary>
internal enum FilterNorm
{
    /// <summary>Sum of absolute values.</summary>
    L1,

    /// <summary>Euclidean norm.</summary>
    L2,
}

/// <summary>How Scope=Global compares weights of different layers.</summary>
internal enum GlobalRanking
{
    /// <summary>By LAMP score: magnitude relative to the layer's larger weights.</summary>
    Lamp,

    /// <summary>By raw |w| (PyTorch's global_unstructured).</summary>
    Magnitude,
}

/// <summary>
/// A validated <c>Prune</c> request. <c>Calibration</c> is the data set (a key of <see cref="PassContext.CalibrationData"/>)
/// for bias correction: the Prune request's own <c>Calibration</c> option, else the one a StaticInt8 Quantize request of the
/// same pipeline declares (<c>CalibrationInherited</c> then true); null for none. <c>BiasCorrection</c> (default true) says
/// whether zeroing prunes correct each layer's bias for its expected output shift when that data is at hand.
/// </summary>
internal sealed record PruneSettings(double Sparsity, PruneStructure Structure, PruneScope Scope, FilterNorm Norm, GlobalRanking Ranking, LayerExclusions Exclusions,
    string? Calibration = null, bool BiasCorrection = true, bool CalibrationInherited = false);

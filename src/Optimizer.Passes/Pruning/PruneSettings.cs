namespace Optimizer.Passes.Pruning;

/// <summary>
/// A validated <c>Prune</c> request. <c>Calibration</c> is the data set (a key of <see cref="PassContext.CalibrationData"/>)
/// for bias correction: the Prune request's own <c>Calibration</c> option, else the one a StaticInt8 Quantize request of the
/// same pipeline declares (<c>CalibrationInherited</c> then true); null for none. <c>BiasCorrection</c> (default true) says
/// whether zeroing prunes correct each layer's bias for its expected output shift when that data is at hand.
/// </summary>
internal sealed record PruneSettings(double Sparsity, PruneStructure Structure, PruneScope Scope, PruneNorm Norm, PruneRanking Ranking, LayerExclusions Exclusions,
    string? Calibration = null, bool BiasCorrection = true, bool CalibrationInherited = false);

/// <summary>Turns the bound <c>Prune</c> options into <see cref="PruneSettings"/>.</summary>
internal static class PruneSettingsFactory
{
    /// <param name="options">The request's options, validated by the schema.</param>
    /// <param name="sharedCalibration">Calibration data another request of the pipeline declares (StaticInt8 Quantize), used when the Prune request names none.</param>
    public static PruneSettings From(PruneAttribute options, string? sharedCalibration)
    {
        var inherited = options.Calibration is null && !string.IsNullOrEmpty(sharedCalibration);
        return new PruneSettings(options.Sparsity, options.Structure, options.Scope, options.Norm, options.Ranking,
            LayerExclusions.Parse(options.Exclude), options.Calibration ?? (inherited ? sharedCalibration : null), options.BiasCorrection, inherited);
    }
}

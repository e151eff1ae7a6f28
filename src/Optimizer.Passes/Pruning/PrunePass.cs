using Optimizer.Passes.Pruning.Encoders;

namespace Optimizer.Passes.Pruning;

/// <summary>
/// The <c>Prune</c> request: <c>[Prune(Sparsity = 0.5, Structure = …, Scope = …, Exclude = "…", Norm = …, Calibration = "…", BiasCorrection = …)]</c>.
/// Validates the options and picks the pass for the structure.
/// </summary>
/// <remarks>
/// Unstructured and 2:4 prunes correct each pruned layer's bias for its expected output shift (BiasCorrection.cs)
/// when calibration data is at hand: the request's own <c>Calibration</c> data set, else the one a StaticInt8
/// Quantize request of the same pipeline names (PassPipeline hands it over). <c>BiasCorrection=false</c> turns it off.
/// </remarks>
internal static class PrunePass
{
    public static string Name => Schema.PassSchema.Prune.Name;

    /// <summary>After clean-up and fusion (so BatchNorm is folded and weights are initializers), before quantization.</summary>
    public static int Stage => Schema.PassSchema.Prune.Order;

    public static IModelPass Create(IReadOnlyDictionary<string, string> options) => Create(options, PassContext.Empty, null);

    /// <inheritdoc cref="Create(PruneAttribute, PassContext, string?)"/>
    public static IModelPass Create(IReadOnlyDictionary<string, string> options, PassContext context, string? sharedCalibration) =>
        Create(Schema.OptionBinder.Bind<PruneAttribute>(options), context, sharedCalibration);

    /// <param name="options">The request's options, validated by the schema.</param>
    /// <param name="context">Calibration data and the executor, for bias correction.</param>
    /// <param name="sharedCalibration">The calibration data a StaticInt8 Quantize request of the same pipeline names; used for bias correction when Prune names none.</param>
    public static IModelPass Create(PruneAttribute options, PassContext context, string? sharedCalibration)
    {
        var settings = PruneSettingsFactory.From(options, sharedCalibration);
        return settings.Structure switch
        {
            PruneStructure.Channel => new ChannelPruning(settings, context),
            PruneStructure.AttentionHead => new AttentionHeadPruning(settings, context),
            PruneStructure.NM2x4 => new NmSparsityPruning(settings, context),
            _ => new MagnitudePruning(settings, context),
        };
    }
}

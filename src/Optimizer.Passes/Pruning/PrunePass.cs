namespace Optimizer.Passes.Pruning;

/// <summary>
/// The <c>Prune</c> request: <c>[Prune(Sparsity = 0.5, Structure = …, Scope = …, Exclude = "…", Norm = …)]</c>.
/// Validates the options and picks the pass for the structure.
/// </summary>
internal static class PrunePass
{
    public const string Name = "Prune";

    /// <summary>After clean-up and fusion (so BatchNorm is folded and weights are initializers), before quantization (400).</summary>
    public const int Stage = 300;

    public static IModelPass Create(IReadOnlyDictionary<string, string> options)
    {
        var settings = PruneOptionsParser.Parse(options);
        return settings.Structure switch
        {
            PruneStructure.Channel => new ChannelPruning(settings),
            PruneStructure.NM2x4 => new NmSparsityPruning(settings),
            _ => new MagnitudePruning(settings),
        };
    }
}

using Optimizer.Passes.Cleanup;
using Optimizer.Passes.Fusion;
using Optimizer.Passes.Pruning;
using Optimizer.Passes.Quantization;

namespace Optimizer.Passes;

/// <summary>Turns requests into configured passes; knows which passes exist in this version.</summary>
internal static class PassCatalog
{
    /// <summary>Passes the design names that this version does not implement yet.</summary>
    private static readonly string[] Planned = ["Float16"];

    /// <summary>
    /// Passes that train: they live in the Optimizer.Training package (TorchSharp), which the engine
    /// plugs in after pruning (PassContext.AfterPruning), never in this library.
    /// </summary>
    private static readonly string[] Training = ["Distill", "FineTune"];

    public const string Available = "Quantize (Mode=DynamicInt8|StaticInt8|Float16|Int4), Prune (Structure=Unstructured|Channel|NM2x4), Cleanup and Fuse (always run first)";

    /// <param name="request">The request.</param>
    /// <param name="context">Data and executor from the caller.</param>
    /// <param name="sharedCalibration">The calibration data a StaticInt8 Quantize request of the same pipeline names (see PassPipeline).</param>
    public static IModelPass Create(PassRequest request, PassContext context, string? sharedCalibration)
    {
        if (request.Pass.Equals(QuantizePass.Name, StringComparison.OrdinalIgnoreCase))
        {
            return QuantizePass.Create(request.Options, context);
        }

        if (request.Pass.Equals(PrunePass.Name, StringComparison.OrdinalIgnoreCase))
        {
            return PrunePass.Create(request.Options, context, sharedCalibration);
        }

        if (request.Pass.Equals(FusionPass.Name, StringComparison.OrdinalIgnoreCase))
        {
            return FusionPass.Create(request.Options);
        }

        if (request.Pass.Equals(CleanupPass.Name, StringComparison.OrdinalIgnoreCase))
        {
            return CleanupPass.Create(request.Options);
        }

        if (Training.Contains(request.Pass, StringComparer.OrdinalIgnoreCase))
        {
            throw new PassException(PassErrorCodes.PassNotAvailable,
                $"The pass '{request.Pass}' trains with TorchSharp and comes from the Optimizer.Training package: reference it (<PackageReference Include=\"Optimizer.Training\" />) and the engine runs it between pruning and quantization; the pass pipeline alone cannot.", request.Pass);
        }

        if (Planned.Contains(request.Pass, StringComparer.OrdinalIgnoreCase))
        {
            throw new PassException(PassErrorCodes.PassNotAvailable,
                $"The pass '{request.Pass}' is not available in this version of Optimizer.Build. Available: {Available}. Remove the request or upgrade.", request.Pass);
        }

        throw new PassException(PassErrorCodes.UnknownPass,
            $"There is no pass named '{request.Pass}'. Available in this version: {Available}.", request.Pass);
    }

    /// <summary>
    /// The passes that run whether requested or not (clean-up, then fusion), less those
    /// <paramref name="requested"/> already holds.
    /// </summary>
    public static IEnumerable<IModelPass> AlwaysOn(IReadOnlyCollection<IModelPass> requested)
    {
        if (!requested.OfType<CleanupPass>().Any()) yield return new CleanupPass();
        if (!requested.OfType<FusionPass>().Any()) yield return new FusionPass();
    }
}

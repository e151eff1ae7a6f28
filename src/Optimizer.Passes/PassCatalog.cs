using Optimizer.Passes.Cleanup;
using Optimizer.Passes.Fusion;
using Optimizer.Passes.Pruning;
using Optimizer.Passes.Quantization;
using Optimizer.Passes.Schema;

namespace Optimizer.Passes;

/// <summary>
/// Turns requests into configured passes: the schema (<see cref="PassSchema"/>) validates and binds
/// each request's options, and the factory of its pass builds the pass from the typed options.
/// A new pass is its attribute (the schema), its factory here, and its implementation.
/// </summary>
internal static class PassCatalog
{
    /// <summary>One bound request: the pass and its typed options (its attribute; null for the always-on passes).</summary>
    private sealed record BoundRequest(PassDescriptor Pass, object? Options);

    /// <summary>The calibration data a StaticInt8 Quantize request of the same pipeline names (see <see cref="SharedCalibration"/>).</summary>
    private delegate IModelPass Factory(object? options, PassContext context, string? sharedCalibration);

    private static readonly Dictionary<PassDescriptor, Factory> Factories = new()
    {
        [PassSchema.Cleanup] = (_, _, _) => new CleanupPass(),
        [PassSchema.Fuse] = (_, _, _) => new FusionPass(),
        [PassSchema.Prune] = (options, context, shared) => PrunePass.Create((PruneAttribute)options!, context, shared),
        [PassSchema.Quantize] = (options, context, _) => QuantizePass.Create((QuantizeAttribute)options!, context),
    };

    /// <summary>Validates every request, then builds the passes; nothing is built when one request is refused.</summary>
    public static IReadOnlyList<IModelPass> Create(IReadOnlyList<PassRequest> requests, PassContext context)
    {
        var bound = requests.Select(Bind).ToArray();
        var shared = SharedCalibration(bound);
        return bound.Select(r => Factories[r.Pass](r.Options, context, shared)).ToArray();
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

    private static BoundRequest Bind(PassRequest request)
    {
        var pass = PassSchema.Find(request.Pass)
            ?? throw new PassException(PassErrorCodes.UnknownPass,
                $"There is no pass named '{request.Pass}'. Available in this version: {PassSchema.AvailableText}.", request.Pass);
        if (pass.Package is { } package)
        {
            throw new PassException(PassErrorCodes.PassNotAvailable,
                $"The pass '{pass.Name}' trains with TorchSharp and comes from the {package} package: reference it (<PackageReference Include=\"{package}\" />) and the engine runs it between pruning and quantization; the pass pipeline alone cannot.", pass.Name);
        }

        if (!Factories.ContainsKey(pass))
        {
            throw new PassException(PassErrorCodes.UnknownPass,
                $"{pass.Name} is a check on the optimized model, which the engine runs after the passes; the pass pipeline cannot. Passes: {PassSchema.AvailableText}.", pass.Name);
        }

        if (pass.AttributeType is null)
        {
            OptionBinder.Validate(pass, request.Options);
            return new BoundRequest(pass, null);
        }

        return new BoundRequest(pass, OptionBinder.Bind(pass, request.Options));
    }

    /// <summary>
    /// The <c>Calibration</c> a StaticInt8 Quantize request declares, or null. A Prune request that names no
    /// calibration data of its own uses this for bias correction: the data already describes the model's inputs
    /// and the build loads it anyway, so declaring it twice would only invite the two to disagree.
    /// </summary>
    private static string? SharedCalibration(IEnumerable<BoundRequest> requests) =>
        requests.Select(r => r.Options).OfType<QuantizeAttribute>()
            .Where(q => q.Mode == QuantizationMode.StaticInt8)
            .Select(q => q.Calibration).FirstOrDefault(c => !string.IsNullOrEmpty(c));
}

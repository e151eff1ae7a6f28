using Optimizer.Passes.Quantization;

namespace Optimizer.Passes;

/// <summary>Turns requests into configured passes; knows which passes exist in this version.</summary>
internal static class PassCatalog
{
    /// <summary>Passes the design names that this version does not implement yet.</summary>
    private static readonly string[] Planned = ["Prune", "Fuse", "Cleanup", "Float16", "Distill", "FineTune"];

    public const string Available = "Quantize (Mode=DynamicInt8)";

    public static IModelPass Create(PassRequest request)
    {
        if (request.Pass.Equals(QuantizePass.Name, StringComparison.OrdinalIgnoreCase))
        {
            return QuantizePass.Create(request.Options);
        }

        if (Planned.Contains(request.Pass, StringComparer.OrdinalIgnoreCase))
        {
            throw new PassException(PassErrorCodes.PassNotAvailable,
                $"The pass '{request.Pass}' is not available in this version of Optimizer.Build. Available: {Available}. Remove the request or upgrade.", request.Pass);
        }

        throw new PassException(PassErrorCodes.UnknownPass,
            $"There is no pass named '{request.Pass}'. Available in this version: {Available}.", request.Pass);
    }
}

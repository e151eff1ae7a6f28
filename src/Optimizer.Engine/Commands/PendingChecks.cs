using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Passes;

namespace Optimizer.Engine.Commands;

/// <summary>
/// Declarations that are checks on the result rather than passes over the graph
/// ([AccuracyBudget], Quantize's RequireSpeedup), kept out of the pass pipeline. [AccuracyBudget] is
/// enforced by Verification/AccuracyControl; RequireSpeedup is not enforced yet, so it becomes a
/// coded warning (never silence).
/// </summary>
internal static class PendingChecks
{
    private const string AccuracyBudget = "AccuracyBudget";
    private const string RequireSpeedup = "RequireSpeedup";

    public static IEnumerable<string> Warnings(OptimizationPlan plan)
    {
        foreach (var pass in plan.Passes)
        {
            if (pass.Pass != AccuracyBudget && pass.Options.TryGetValue(RequireSpeedup, out var value) && value.Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                yield return CanonicalError.FormatWarning(EngineErrorCodes.SpeedupNotEnforced,
                    $"{plan.ModelPath}: RequireSpeedup is not enforced by this version of Optimizer.Build; the quantized model is kept without timing it against the original.",
                    pass.DeclaredAt);
            }
        }
    }

    /// <summary>The plan's passes as pipeline requests, without the checks above.</summary>
    public static List<PassRequest> PassRequests(OptimizationPlan plan) =>
        plan.Passes
            .Where(p => p.Pass != AccuracyBudget)
            .Select(p => new PassRequest(p.Pass, p.Options.Where(o => o.Key != RequireSpeedup).ToDictionary(o => o.Key, o => o.Value)))
            .ToList();
}

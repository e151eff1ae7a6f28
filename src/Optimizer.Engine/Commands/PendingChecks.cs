using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.Plans;
using Optimizer.Passes;

namespace Optimizer.Engine.Commands;

/// <summary>
/// Declarations that are checks on the result rather than passes over the graph
/// ([AccuracyBudget], Quantize's RequireSpeedup), kept out of the pass pipeline. [AccuracyBudget] is
/// enforced by Verification/AccuracyControl, RequireSpeedup by Benchmarking/SpeedupGate.
/// </summary>
internal static class PendingChecks
{
    private const string AccuracyBudget = "AccuracyBudget";

    /// <summary>The plan's passes as pipeline requests, without the checks above.</summary>
    public static List<PassRequest> PassRequests(OptimizationPlan plan) =>
        plan.Passes
            .Where(p => p.Pass != AccuracyBudget)
            .Select(p => new PassRequest(p.Pass, p.Options.Where(o => o.Key != SpeedupGate.OptionName).ToDictionary(o => o.Key, o => o.Value)))
            .ToList();
}

using Optimizer.Engine.Plans;
using Optimizer.Passes;
using Optimizer.Passes.Schema;

namespace Optimizer.Engine.Commands;

/// <summary>
/// Declarations the schema marks as checks on the result rather than passes over the graph
/// ([AccuracyBudget], Quantize's RequireSpeedup), kept out of the pass pipeline. [AccuracyBudget] is
/// enforced by Verification/AccuracyControl, RequireSpeedup by Benchmarking/SpeedupGate.
/// </summary>
internal static class PendingChecks
{
    /// <summary>The plan's passes as pipeline requests, without the checks above.</summary>
    public static List<PassRequest> PassRequests(OptimizationPlan plan) =>
        plan.Passes
            .Where(p => PassSchema.Find(p.Pass)?.IsCheck != true)
            .Select(p => new PassRequest(p.Pass, p.Options
                .Where(o => PassSchema.Find(p.Pass)?.Find(o.Key)?.IsCheck != true)
                .ToDictionary(o => o.Key, o => o.Value)))
            .ToList();
}

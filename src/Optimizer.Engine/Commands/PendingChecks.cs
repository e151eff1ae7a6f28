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
            .Select(p => (Planned: p, Schema: PassSchema.Find(p.Pass)))
            .Where(p => p.Schema?.IsCheck != true)
            .Select(p => new PassRequest(p.Planned.Pass, p.Planned.Options
                .Where(o => p.Schema?.Find(o.Key)?.IsCheck != true)
                .ToDictionary(o => o.Key, o => o.Value)))
            .ToList();
}

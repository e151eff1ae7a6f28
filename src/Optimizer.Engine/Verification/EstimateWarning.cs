using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Passes.Schema;

namespace Optimizer.Engine.Verification;

/// <summary>
/// A pass that changes what the model computes, verified only on generated inputs, gets one warning per
/// build with the estimate: random ids and uniform floats say the model still runs, not that it still works.
/// </summary>
internal static class EstimateWarning
{
    /// <summary>The passes that change the model's outputs (the rest only rewrite the graph exactly).</summary>
    private static readonly PassDescriptor[] LossyPasses = [PassSchema.Prune, PassSchema.Quantize, PassSchema.FineTune, PassSchema.Distill];

    /// <returns>The coded warning line, or nothing when the figures are on real data or no lossy pass is declared.</returns>
    public static IReadOnlyList<string> For(OptimizationPlan plan, FidelityResult fidelity)
    {
        if (!fidelity.IsGenerated)
            return [];
        var lossy = plan.Passes.Where(p => LossyPasses.Any(l => l.Name == p.Pass)).Select(p => p.Pass).Distinct().ToList();
        if (lossy.Count == 0)
            return [];
        return [CanonicalError.FormatWarning(EngineErrorCodes.FidelityEstimated,
            $"{plan.ModelPath}: {string.Join(" and ", lossy)} changed the model, and its fidelity was only estimated: {fidelity.Describe(null)}. Declare [AccuracyBudget] Validation data (an .npz with one array per input) to measure it, and MinCosine or MaxDrop to hold it.",
            plan.DeclaredAt)];
    }
}

using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Passes;

namespace Optimizer.Engine.Commands;

/// <summary>
/// Nothing silent: a warning (OPT1205) for each declared pass that did nothing or less than it was
/// declared to do (<see cref="PassReport.Shortfall"/>), at the pass's declaration, with its reasons.
/// </summary>
public static class PassShortfalls
{
    /// <summary>One coded warning line per pass report of <paramref name="result"/> that carries a shortfall.</summary>
    public static IReadOnlyList<string> Warnings(OptimizationPlan plan, PipelineResult result)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(result);
        return result.Reports.Where(r => r.Shortfall is not null)
            .Select(r => CanonicalError.FormatWarning(PassErrorCodes.PassFellShort,
                $"{plan.ModelPath}: {r.Pass} {r.Shortfall}. The build goes on with what the pass did; the report lists every layer it left and why. Change the declaration (e.g. Exclude, another Mode or Structure) or the model if that is not what you meant.",
                DeclarationOf(plan, r.Pass)))
            .ToList();
    }

    private static DiagnosticLocation? DeclarationOf(OptimizationPlan plan, string pass) =>
        plan.Passes.FirstOrDefault(p => p.Pass.Equals(pass, StringComparison.OrdinalIgnoreCase))?.DeclaredAt ?? plan.DeclaredAt;
}

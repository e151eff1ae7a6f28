using Optimizer.Build.Tasks.Discovery;

namespace Optimizer.Build.Tasks.Planning;

/// <summary>
/// The project property <c>OptimizerRequireSpeedup</c>: true adds <c>RequireSpeedup=true</c> to
/// every Quantize pass that does not set RequireSpeedup itself (a declared <c>RequireSpeedup = false</c>
/// wins), so the engine's speed-up gate runs for every quantized model of the project. It goes into
/// the plan like a declared option, so the cache key changes with the property.
/// </summary>
internal static class RequireSpeedupDefault
{
    public const string Option = nameof(Optimizer.Runtime.QuantizeAttribute.RequireSpeedup);

    public static IReadOnlyList<OptimizationPlan> Apply(IReadOnlyList<OptimizationPlan> plans, bool requireSpeedup)
    {
        if (!requireSpeedup)
            return plans;
        return plans.Select(plan => plan.Passes.Any(NeedsDefault)
            ? new OptimizationPlan(plan.Name, plan.ClassName, plan.ModelFullPath, plan.ModelPath, plan.DeclaredAt, plan.OutputDirectory, plan.ProjectDirectory,
                plan.Passes.Select(p => NeedsDefault(p) ? new PassDeclaration(p.Pass, p.Options.Concat(new[] { new KeyValuePair<string, string>(Option, "true") }), p.Location) : p).ToList())
            : plan).ToList();
    }

    private static bool NeedsDefault(PassDeclaration pass) =>
        pass.Pass == PassSchema.Quantize.Name && !pass.Options.Any(o => string.Equals(o.Key, Option, StringComparison.Ordinal));
}

using Optimizer.Build.Tasks.Diagnostics;
using Optimizer.Build.Tasks.Discovery;

namespace Optimizer.Build.Tasks.Planning;

/// <summary>
/// One plan the engine runs, and the other declarations that asked for exactly the same work (the
/// same model file with the same passes): those get OPT1011 and use this plan's outputs, so the
/// model is optimized and embedded once. Every class name reaches the source generator as the
/// manifest's <see cref="ClassNamesMetadata"/>, so each class gets its generated part (or, for an
/// item's ClassName, the whole class).
/// </summary>
internal sealed class SharedPlan
{
    /// <summary>
    /// Metadata of the manifest item: the classes (full names, ','-separated) the manifest is for. Not ';':
    /// the compiler reads it from an .editorconfig, where ';' and '#' start a comment.
    /// </summary>
    public const string ClassNamesMetadata = "OptimizerClassNames";

    private SharedPlan(OptimizationPlan plan, IReadOnlyList<OptimizationPlan> duplicates)
    {
        Plan = plan;
        Duplicates = duplicates;
    }

    public OptimizationPlan Plan { get; }

    /// <summary>Declarations of the same work, by name; never run.</summary>
    public IReadOnlyList<OptimizationPlan> Duplicates { get; }

    /// <summary>The class names of the plan and its duplicates, as the generator reads them ("" for a bare item).</summary>
    public string ClassNames => string.Join(",", new[] { Plan }.Concat(Duplicates).Select(p => p.ClassName).Where(name => name.Length > 0));

    /// <summary>Who declared it, for the build's summary line: the class (or the item) and its duplicates, "A and B".</summary>
    public string Declarers => string.Join(" and ", new[] { Plan }.Concat(Duplicates).Select(Declarer));

    /// <summary>
    /// Groups <paramref name="plans"/> (ordered by name) by model file and canonical pass list; the
    /// first of each group is run. Only declarations that name a class can share: a bare item's
    /// outputs are found by its own name.
    /// </summary>
    public static IReadOnlyList<SharedPlan> Group(IReadOnlyList<OptimizationPlan> plans, DiagnosticLog diagnostics)
    {
        var result = new List<SharedPlan>();
        foreach (var group in plans.GroupBy(WorkKey, StringComparer.Ordinal))
        {
            var list = group.ToList();
            var primary = list[0];
            var duplicates = list.Skip(1).ToList();
            foreach (var duplicate in duplicates)
            {
                diagnostics.Warning(DiagnosticCodes.DuplicateDeclaration, duplicate.DeclaredAt,
                    $"{Declarer(duplicate)} declares '{duplicate.ModelPath}' with the same passes ({Passes(duplicate)}) as {Declarer(primary)} at {DeclarationCollector.Describe(primary.DeclaredAt)}. " +
                    $"The model is optimized and embedded once and both classes use it. Declare it once, or give one of them other passes.");
            }

            result.Add(new SharedPlan(primary, duplicates));
        }

        return result;
    }

    /// <summary>The class that declared the plan, or its item.</summary>
    public static string Declarer(OptimizationPlan plan) =>
        plan.ClassName.Length > 0 ? plan.ClassName : $"<OnnxModel Include=\"{plan.ModelPath}\">";

    private static string WorkKey(OptimizationPlan plan) =>
        // A bare item never shares: its key is unique to it.
        plan.ClassName.Length == 0 ? "\0" + plan.Name : plan.ModelFullPath + "\0" + PassDeclaration.CanonicalListText(plan.Passes);

    private static string Passes(OptimizationPlan plan) =>
        plan.Passes.Count == 0 ? "none" : string.Join(", ", plan.Passes.Select(p => p.Pass));
}

using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Optimizer.Build.Tasks.Planning;
using Optimizer.Engine.Output;

namespace Optimizer.Build.Tasks.Engine;

/// <summary>
/// The files the engine left for a plan, as the task's <c>@(OptimizerOutput)</c> items. The engine
/// names them by the shared <see cref="OutputNames"/> table and keeps its output folder exact (a
/// kernel program a new build does not write is deleted; a failed run deletes them all), so the
/// table's files that exist are what the last run produced, after a run and on a cache hit alike.
/// Metadata: Kind (the <see cref="OutputKind"/>), LogicalName (EmbeddedResource's own, only on what
/// the build embeds), OptimizerModelName (the plan's name), OptimizerModelPath (as declared) and, on
/// the manifest, OptimizerClassNames (the classes it is for, which the source generator reads).
/// </summary>
internal static class EngineOutputs
{
    private const string KindMetadata = "Kind";

    /// <summary>Whether every output a successful run always writes is there.</summary>
    public static bool Complete(OptimizationPlan plan) => Missing(plan).Count == 0;

    /// <summary>The full paths of the outputs every successful run writes that are not there.</summary>
    public static IReadOnlyList<string> Missing(OptimizationPlan plan) =>
        OutputNames.All.Where(output => output.Required).Select(output => PathOf(plan, output)).Where(path => !File.Exists(path)).ToList();

    /// <summary>The plan's outputs that exist, in <see cref="OutputNames.All"/>'s order, with their metadata.</summary>
    /// <param name="classNames">The classes the manifest is for (<see cref="SharedPlan.ClassNames"/>), or "".</param>
    public static IEnumerable<ITaskItem> Existing(OptimizationPlan plan, string classNames = "")
    {
        foreach (var output in OutputNames.All)
        {
            var path = PathOf(plan, output);
            if (!File.Exists(path))
                continue;

            var item = new TaskItem(path);
            item.SetMetadata(KindMetadata, output.Kind.ToString());
            if (output.ResourceName(plan.ResourceName) is { } logicalName)
                item.SetMetadata("LogicalName", logicalName);
            item.SetMetadata("OptimizerModelName", plan.Name);
            item.SetMetadata("OptimizerModelPath", plan.ModelPath);
            if (output.Kind == OutputKind.Manifest && classNames.Length > 0)
                item.SetMetadata(SharedPlan.ClassNamesMetadata, classNames);
            yield return item;
        }
    }

    /// <summary>The items of <paramref name="outputs"/> of one kind.</summary>
    public static ITaskItem[] OfKind(IEnumerable<ITaskItem> outputs, OutputKind kind) =>
        outputs.Where(item => item.GetMetadata(KindMetadata) == kind.ToString()).ToArray();

    private static string PathOf(OptimizationPlan plan, PlanOutput output) => Path.Combine(plan.OutputDirectory, output.FileName(plan.Name));
}

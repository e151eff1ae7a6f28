using System.Collections.Generic;
using System.IO;
using System.Linq;
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
/// </summary>
internal static class EngineOutputs
{
    /// <summary>The <see cref="OutputKind"/> name: OptimizedModel, KernelProgram, Manifest or Report.</summary>
    public const string KindMetadata = "Kind";

    /// <summary>The resource name an embedded output gets (EmbeddedResource's own metadata); absent on the others.</summary>
    public const string LogicalNameMetadata = "LogicalName";

    /// <summary>The plan's name (the output base name) and the model path as declared.</summary>
    public const string ModelNameMetadata = "OptimizerModelName";
    public const string ModelPathMetadata = "OptimizerModelPath";

    /// <summary>Whether every output a successful run always writes is there.</summary>
    public static bool Complete(OptimizationPlan plan) => Missing(plan).Count == 0;

    /// <summary>The full paths of the outputs every successful run writes that are not there.</summary>
    public static IReadOnlyList<string> Missing(OptimizationPlan plan) =>
        OutputNames.All.Where(output => output.Required).Select(output => PathOf(plan, output)).Where(path => !File.Exists(path)).ToList();

    /// <summary>The plan's outputs that exist, in <see cref="OutputNames.All"/>'s order, with their metadata.</summary>
    public static IEnumerable<ITaskItem> Existing(OptimizationPlan plan)
    {
        foreach (var output in OutputNames.All)
        {
            var path = PathOf(plan, output);
            if (!File.Exists(path))
                continue;

            var item = new TaskItem(path);
            item.SetMetadata(KindMetadata, output.Kind.ToString());
            if (output.ResourceName(plan.ResourceName) is { } logicalName)
                item.SetMetadata(LogicalNameMetadata, logicalName);
            item.SetMetadata(ModelNameMetadata, plan.Name);
            item.SetMetadata(ModelPathMetadata, plan.ModelPath);
            yield return item;
        }
    }

    /// <summary>The items of <paramref name="outputs"/> of one kind.</summary>
    public static ITaskItem[] OfKind(IEnumerable<ITaskItem> outputs, OutputKind kind) =>
        outputs.Where(item => item.GetMetadata(KindMetadata) == kind.ToString()).ToArray();

    private static string PathOf(OptimizationPlan plan, PlanOutput output) => Path.Combine(plan.OutputDirectory, output.FileName(plan.Name));
}

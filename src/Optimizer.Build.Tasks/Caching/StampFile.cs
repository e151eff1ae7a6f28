using System.Text;
using Optimizer.Build.Tasks.Planning;

namespace Optimizer.Build.Tasks.Caching;

/// <summary>
/// The cache key of the last successful engine run for a plan, stored beside its outputs.
/// Written only after the engine succeeded and deleted before it runs, so a failed or interrupted
/// run is retried by the next build.
/// </summary>
internal static class StampFile
{
    /// <summary>Whether the last successful run had this key; its outputs are checked by the caller.</summary>
    public static bool IsUpToDate(OptimizationPlan plan, string key) =>
        File.Exists(plan.StampPath)
        && File.ReadAllText(plan.StampPath).Trim() == key;

    public static void Write(OptimizationPlan plan, string key) =>
        File.WriteAllText(plan.StampPath, key + "\n", new UTF8Encoding(false));

    public static void Delete(OptimizationPlan plan)
    {
        if (File.Exists(plan.StampPath))
            File.Delete(plan.StampPath);
    }
}

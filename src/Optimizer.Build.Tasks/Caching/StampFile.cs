using System.Text;
using Optimizer.Build.Tasks.Planning;

namespace Optimizer.Build.Tasks.Caching;

/// <summary>
/// The record of the last successful engine run for a plan, stored beside its outputs: its cache
/// key (<c>Name.stamp</c>) and the coded warnings it printed (<c>Name.warnings</c>, only when there
/// were any), so a build that finds the plan up to date shows the same warnings as the build that
/// ran the engine. Both are written only after the engine succeeded and deleted before it runs, so
/// a failed or interrupted run is retried by the next build and leaves no stale warnings.
/// </summary>
internal static class StampFile
{
    private static readonly Encoding Utf8 = new UTF8Encoding(false);

    /// <summary>Whether the last successful run had this key; its outputs are checked by the caller.</summary>
    public static bool IsUpToDate(OptimizationPlan plan, string key) =>
        File.Exists(plan.StampPath)
        && File.ReadAllText(plan.StampPath).Trim() == key;

    /// <summary>Where the last successful run's warning lines are kept.</summary>
    public static string WarningsPath(OptimizationPlan plan) => Path.ChangeExtension(plan.StampPath, ".warnings");

    /// <summary>Records a successful run: its warning lines (as the engine printed them) first, then the key that makes them current.</summary>
    public static void Write(OptimizationPlan plan, string key, IReadOnlyCollection<string> warnings)
    {
        if (warnings.Count > 0)
            File.WriteAllText(WarningsPath(plan), string.Concat(warnings.Select(line => line + "\n")), Utf8);
        File.WriteAllText(plan.StampPath, key + "\n", Utf8);
    }

    /// <summary>The warning lines of the run the stamp records; none when it printed none.</summary>
    public static IReadOnlyList<string> Warnings(OptimizationPlan plan) =>
        File.Exists(WarningsPath(plan))
            ? File.ReadAllLines(WarningsPath(plan), Utf8).Where(line => line.Length > 0).ToList()
            : [];

    public static void Delete(OptimizationPlan plan)
    {
        // The stamp first: warnings without a stamp are never replayed.
        if (File.Exists(plan.StampPath))
            File.Delete(plan.StampPath);
        if (File.Exists(WarningsPath(plan)))
            File.Delete(WarningsPath(plan));
    }
}

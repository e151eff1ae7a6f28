using Optimizer.Engine.DataFiles;
using Optimizer.Passes.Schema;

namespace Optimizer.Engine.Plans;

/// <summary>
/// The files a plan reads from outside its project folder. They are allowed (shared model folders are
/// common) but never silently: the summary line names each by its resolved full path (symbolic links
/// followed), so a build log shows exactly which file outside the project went into the app.
/// </summary>
internal static class OutsideProject
{
    /// <summary>The options whose values are files, resolved like <see cref="DataFile.Resolve"/>.</summary>
    private static readonly string[] FileOptions =
        PassSchema.All.SelectMany(p => p.Options).Where(o => o.IsDataFile).Select(o => o.Name).Distinct().ToArray();

    /// <summary>"model '/abs/m.onnx'", "Calibration '/abs/c.npy'", …: each file outside the project; empty without a project folder.</summary>
    public static IReadOnlyList<string> Describe(OptimizationPlan plan)
    {
        if (plan.ProjectDirectory is not { Length: > 0 } project)
        {
            return [];
        }

        var root = Resolved(project);
        var files = new List<(string What, string Path)> { ("model", plan.Model) };
        foreach (var pass in plan.Passes)
        {
            files.AddRange(pass.Options.Where(o => FileOptions.Contains(o.Key, StringComparer.OrdinalIgnoreCase)).Select(o => (o.Key, DataFile.Resolve(plan, o.Value))));
        }

        return files
            .Select(f => (f.What, Path: Resolved(f.Path)))
            .Where(f => !IsInside(f.Path, root))
            .Distinct()
            .Select(f => $"{f.What} '{f.Path}'")
            .ToList();
    }

    private static bool IsInside(string path, string root)
    {
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return path.StartsWith(prefix, comparison);
    }

    /// <summary>The full path with symbolic links followed (each folder on the way too, so a linked folder counts where it points).</summary>
    private static string Resolved(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            var parent = Path.GetDirectoryName(full);
            var resolvedParent = parent is null ? null : Resolved(parent);
            var current = resolvedParent is null ? full : Path.Combine(resolvedParent, Path.GetFileName(full));
            var info = new FileInfo(current);
            return info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target ? Path.GetFullPath(target.FullName) : current;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return full;
        }
    }
}

namespace Optimizer.EndToEnd.Tests;

/// <summary>Finds the repository root and the shared data beside it.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>`../shared/data` relative to the repository root, or null when absent.</summary>
    public static string? SharedData
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));
            return Directory.Exists(path) ? path : null;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Optimizer.Build.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Optimizer.Build.sln not found above " + AppContext.BaseDirectory);
    }
}

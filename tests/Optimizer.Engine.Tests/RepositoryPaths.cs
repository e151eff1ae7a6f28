namespace Optimizer.Engine.Tests;

/// <summary>The repository root (found by walking up to Optimizer.Build.sln) and ../shared beside it.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/data/models, or null when this checkout has no shared folder beside it.</summary>
    public static string? SharedModels
    {
        get
        {
            var models = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data", "models"));
            return Directory.Exists(models) ? models : null;
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Optimizer.Build.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException("Optimizer.Build.sln not found above " + AppContext.BaseDirectory);
    }
}

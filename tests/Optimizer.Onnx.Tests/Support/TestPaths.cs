namespace Optimizer.Onnx.Tests.Support;

/// <summary>Locates the repository root and the shared data folder next to it.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary><c>../shared</c> relative to the repository root, or null when absent.</summary>
    public static string? SharedFolder
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
            return Directory.Exists(path) ? path : null;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Optimizer.Build.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Optimizer.Build.sln above {AppContext.BaseDirectory}.");
    }
}

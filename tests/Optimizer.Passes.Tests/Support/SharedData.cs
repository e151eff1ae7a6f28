namespace Optimizer.Passes.Tests.Support;

/// <summary>Finds <c>../shared/data</c> next to the repository root (the folder holding Optimizer.Build.sln).</summary>
internal static class SharedData
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The shared data folder, or null when absent (tests then print why they did not run).</summary>
    public static string? Folder
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));
            return Directory.Exists(path) ? path : null;
        }
    }

    public static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * 4);
        return values;
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

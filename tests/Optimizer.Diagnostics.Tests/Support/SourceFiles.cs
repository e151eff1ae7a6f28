using Optimizer.Tests.Shared;

namespace Optimizer.Diagnostics.Tests.Support;

/// <summary>The C# sources under src/ (build outputs left out), read once.</summary>
internal static class SourceFiles
{
    public static string SourceRoot { get; } = Path.Combine(RepositoryLayout.RequiredRoot, "src");

    public static IReadOnlyList<(string Path, string Text)> All { get; } = Directory
        .EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories)
        .Where(path => !IsBuildOutput(path))
        .Order(StringComparer.Ordinal)
        .Select(path => (path, File.ReadAllText(path)))
        .ToArray();

    /// <summary>The projects under src/ that hold code: each builds an assembly that may define codes.</summary>
    public static IReadOnlyList<string> CodeProjects { get; } = Directory
        .EnumerateFiles(SourceRoot, "*.csproj", SearchOption.AllDirectories)
        .Where(project => !IsBuildOutput(project) && All.Any(source => source.Path.StartsWith(Path.GetDirectoryName(project)! + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static string Relative(string path) => Path.GetRelativePath(RepositoryLayout.RequiredRoot, path);

    private static bool IsBuildOutput(string path)
    {
        var relative = Path.GetRelativePath(SourceRoot, path).Split(Path.DirectorySeparatorChar);
        return relative.Contains("obj") || relative.Contains("bin");
    }
}

namespace Optimizer.Tests.Shared;

/// <summary>
/// The repository root (the folder holding Optimizer.Build.sln, found by walking up from the test
/// binaries) and the read-only <c>../shared</c> folder beside it. Linked into every project under
/// tests/ by tests/Directory.Build.props, so each test project asks the same question one way.
/// </summary>
internal static class RepositoryLayout
{
    /// <summary>The repository root, or null when the binaries do not sit inside a checkout.</summary>
    public static string? Root { get; } = FindRoot();

    /// <summary>The root; throws with the place searched when there is none.</summary>
    public static string RequiredRoot =>
        Root ?? throw new InvalidOperationException($"No Optimizer.Build.sln above {AppContext.BaseDirectory}.");

    /// <summary><c>../shared/&lt;relative&gt;</c> beside the root, or null when absent (tests then print why they did not run).</summary>
    public static string? SharedFolder(string relative = "")
    {
        if (Root is null) return null;
        var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", relative));
        return Directory.Exists(path) ? path : null;
    }

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Optimizer.Build.sln")))
                return dir.FullName;
        }
        return null;
    }
}

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

    /// <summary><c>../shared/&lt;relative&gt;</c> beside the root when that folder exists, else null.</summary>
    public static string? SharedFolder(string relative = "") =>
        SharedPath(relative) is { } path && Directory.Exists(path) ? path : null;

    /// <summary><c>../shared/&lt;relative&gt;</c> beside the root when that folder or file exists, else null.</summary>
    public static string? SharedEntry(string relative) =>
        SharedPath(relative) is { } path && (Directory.Exists(path) || File.Exists(path)) ? path : null;

    /// <summary>
    /// <c>../shared/&lt;relative&gt;</c>, a folder or file, for a test whose <c>[ConditionalFact]</c>
    /// names it (so it is reported as skipped where absent); throws when it is absent all the same.
    /// </summary>
    public static string RequiredShared(string relative) =>
        SharedEntry(relative) ?? throw new InvalidOperationException(
            $"../shared/{relative} is absent beside {Root ?? "the test binaries"}: the test that reads it must name it in [ConditionalFact(\"{relative}\")] so it is skipped instead.");

    private static string? SharedPath(string relative) =>
        Root is null ? null : Path.GetFullPath(Path.Combine(Root, "..", "shared", relative));

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

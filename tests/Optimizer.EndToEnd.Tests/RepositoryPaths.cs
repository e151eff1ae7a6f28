using Optimizer.Tests.Shared;

namespace Optimizer.EndToEnd.Tests;

/// <summary>The repository root and the shared data beside it (see <see cref="RepositoryLayout"/>).</summary>
internal static class RepositoryPaths
{
    public static string Root => RepositoryLayout.RequiredRoot;

    /// <summary>`../shared/data` relative to the repository root, or null when absent.</summary>
    public static string? SharedData => RepositoryLayout.SharedFolder("data");
}

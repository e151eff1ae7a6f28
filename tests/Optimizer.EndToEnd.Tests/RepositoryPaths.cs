using Optimizer.Tests.Shared;

namespace Optimizer.EndToEnd.Tests;

/// <summary>The repository root and the shared data beside it (see <see cref="RepositoryLayout"/>).</summary>
internal static class RepositoryPaths
{
    public static string Root => RepositoryLayout.RequiredRoot;

    /// <summary>`../shared/data` beside the repository root, for tests marked <c>[ConditionalFact("data")]</c>.</summary>
    public static string SharedData => RepositoryLayout.RequiredShared("data");
}

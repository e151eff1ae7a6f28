using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests;

/// <summary>The repository root and ../shared beside it (see <see cref="RepositoryLayout"/>).</summary>
internal static class RepositoryPaths
{
    public static string Root => RepositoryLayout.RequiredRoot;

    /// <summary>../shared/data/models, for tests marked <c>[ConditionalFact("data")]</c>.</summary>
    public static string SharedModels => RepositoryLayout.RequiredShared("data/models");
}

using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests;

/// <summary>The repository root and ../shared beside it (see <see cref="RepositoryLayout"/>).</summary>
internal static class RepositoryPaths
{
    public static string Root => RepositoryLayout.RequiredRoot;

    /// <summary>../shared/data/models, or null when this checkout has no shared folder beside it.</summary>
    public static string? SharedModels => RepositoryLayout.SharedFolder(Path.Combine("data", "models"));
}

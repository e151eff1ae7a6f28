using Optimizer.Tests.Shared;

namespace Optimizer.Onnx.Tests.Support;

/// <summary>The repository root and the shared data folder next to it (see <see cref="RepositoryLayout"/>).</summary>
internal static class TestPaths
{
    public static string RepositoryRoot => RepositoryLayout.RequiredRoot;

    /// <summary><c>../shared</c> relative to the repository root, or null when absent.</summary>
    public static string? SharedFolder => RepositoryLayout.SharedFolder();
}

using Optimizer.Tests.Shared;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// The Optimizer.Build and Optimizer.Runtime packages the end-to-end tests build apps against.
/// build/test.sh packs them once per run with a unique version (OPTIMIZER_E2E_FEED and
/// OPTIMIZER_E2E_VERSION); run on their own, the tests pack them here the same way. A unique
/// version means NuGet can never restore a stale copy from its global packages folder.
/// </summary>
public sealed class PackedPackages
{
    public string Feed { get; }
    public string Version { get; }

    public PackedPackages()
    {
        if (PackedFeed.FromEnvironment() is { } packed)
        {
            (Feed, Version) = packed;
            return;
        }

        Version = "0.1.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff");
        Feed = Path.Combine(Path.GetTempPath(), "optimizer-e2e-feed-" + Version);
        ProcessRunner.Run("bash", $"build/pack.sh \"{Feed}\" {Version}", RepositoryPaths.Root)
            .AssertSucceeded("build/pack.sh");
    }
}

[CollectionDefinition(Name)]
public sealed class PackedPackagesCollection : ICollectionFixture<PackedPackages>
{
    public const string Name = "packed packages";
}

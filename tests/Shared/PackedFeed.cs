namespace Optimizer.Tests.Shared;

/// <summary>
/// The packages build/test.sh packs once per run with a version unique to that run (Optimizer.Build,
/// Optimizer.Runtime, the onnx-opt tool), named by two environment variables.
/// </summary>
internal sealed record PackedFeed(string Folder, string Version)
{
    public const string FolderVariable = "OPTIMIZER_E2E_FEED";
    public const string VersionVariable = "OPTIMIZER_E2E_VERSION";

    /// <summary>The feed the environment names, or null when either variable is unset or the folder is absent.</summary>
    public static PackedFeed? FromEnvironment() =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder && Directory.Exists(folder)
        && Environment.GetEnvironmentVariable(VersionVariable) is { Length: > 0 } version
            ? new PackedFeed(folder, version)
            : null;

    /// <summary>The feed, for a test marked <c>[ConditionalFact(Needs.PackedFeed)]</c>; throws when absent all the same.</summary>
    public static PackedFeed Required => FromEnvironment()
        ?? throw new InvalidOperationException($"{FolderVariable}/{VersionVariable} do not name a packed feed: the test must be marked [ConditionalFact(Needs.PackedFeed)].");
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Optimizer.Tests.Shared;

namespace Optimizer.Hostile.Tests;

/// <summary>tests/hostile/cases.json, written by tests/hostile/generate.py: one entry per attack or benign control.</summary>
internal static class HostileCorpus
{
    private static readonly Lazy<IReadOnlyList<HostileCase>> All = new(Load);

    /// <summary>tests/hostile in this checkout.</summary>
    public static string Folder => Path.Combine(RepositoryLayout.RequiredRoot, "tests", "hostile");

    /// <summary>tests/hostile/models: the committed model and data files.</summary>
    public static string ModelsFolder => Path.Combine(Folder, "models");

    public static IReadOnlyList<HostileCase> Cases => All.Value;

    public static HostileCase Get(string name) => Cases.Single(c => c.Name == name);

    private static IReadOnlyList<HostileCase> Load()
    {
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        using var file = File.OpenRead(Path.Combine(Folder, "cases.json"));
        return JsonSerializer.Deserialize<CorpusFile>(file, options)!.Cases;
    }

    private sealed record CorpusFile(IReadOnlyList<HostileCase> Cases);
}

/// <summary>One case: the files it copies, what the harness makes at run time, the CLI arguments and the outcome it must have.</summary>
internal sealed record HostileCase(
    string Name,
    string Category,
    string Description,
    IReadOnlyList<string> Files,
    IReadOnlyList<SetupStep> Setup,
    IReadOnlyList<string> Args,
    Expectation Expect,
    bool CheckGeneratedCode)
{
    public bool MustSucceed => Expect.Outcome == "succeeds";

    /// <summary>The optimized model the command writes (relative to the work folder), when it is <c>optimize</c>.</summary>
    public string? OutputModel => Args.SkipWhile(a => a != "-o").Skip(1).FirstOrDefault();
}

/// <summary>"succeeds" (exit 0, a loadable output) or "fails" (exit code and one of the codes on stderr).</summary>
internal sealed record Expectation(string Outcome, int ExitCode, IReadOnlyList<string>? Codes);

/// <summary>
/// A file git cannot hold, made in the work folder before the run: <c>fifo</c>, <c>hardlink</c> / <c>symlink</c>
/// (to <c>Target</c>), <c>directory</c>, <c>sparse</c> (of <c>Size</c> bytes, no blocks), <c>bytes</c> (Size bytes of data)
/// or <c>copy</c> (of the corpus file <c>Target</c>). A path or target starting <c>outside:</c> lies in a folder beside the work folder.
/// </summary>
internal sealed record SetupStep(string Kind, string Path, string? Target, long Size);

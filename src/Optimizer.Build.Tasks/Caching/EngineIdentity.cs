using System.Collections.Concurrent;
using System.Text;

namespace Optimizer.Build.Tasks.Caching;

/// <summary>
/// A hash of the engine's assemblies, so a new engine (new passes, fixed bugs) invalidates every
/// cached model even when the package version stays the same (local re-packs). Remembered per
/// file set and timestamps because MSBuild nodes outlive builds.
/// </summary>
internal static class EngineIdentity
{
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    /// <param name="engineAssembly">Path to Optimizer.Engine.dll; every .dll beside it is hashed.</param>
    public static string Of(string engineAssembly)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(engineAssembly))!;
        var files = Directory.GetFiles(directory, "*.dll")
            .Concat(Directory.GetFiles(directory, "*.runtimeconfig.json"))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();

        var fingerprint = new StringBuilder();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            fingerprint.Append(info.Name).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return Cache.GetOrAdd(fingerprint.ToString(), _ =>
        {
            var contents = new StringBuilder();
            foreach (var file in files)
                contents.Append(Path.GetFileName(file)).Append(' ').Append(Sha256Hex.OfFile(file)).Append('\n');
            return Sha256Hex.OfText(contents.ToString());
        });
    }
}

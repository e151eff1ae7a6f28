using System.Reflection;

namespace Optimizer.Engine;

/// <summary>The engine's version as recorded in manifests ("0.1.0"; never a commit hash, for determinism).</summary>
public static class EngineVersion
{
    public static string Current { get; } = Read();

    private static string Read()
    {
        var informational = typeof(EngineVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(informational))
            return typeof(EngineVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var plus = informational.IndexOf('+');
        return plus >= 0 ? informational[..plus] : informational;
    }
}

using System.Runtime.InteropServices;

namespace Optimizer.Build.Tasks.Engine;

/// <summary>Finds the dotnet host that starts the (framework-dependent) engine.</summary>
internal static class DotnetHost
{
    public static string ExecutableName =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";

    /// <summary>
    /// $(DOTNET_HOST_PATH) when MSBuild set it (the host running this build, so the SDK's own
    /// runtime); otherwise the first dotnet on PATH.
    /// </summary>
    public static string? Find(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return configured;

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator)
            .Where(dir => dir.Length > 0)
            .Select(dir => Path.Combine(dir.Trim('"'), ExecutableName))
            .FirstOrDefault(File.Exists);
    }
}

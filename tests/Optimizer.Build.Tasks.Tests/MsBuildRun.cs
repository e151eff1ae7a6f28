using System.Diagnostics;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>Real MSBuild (<c>dotnet msbuild</c>) on a test project, for the package's props and targets.</summary>
internal static class MsBuildRun
{
    /// <summary>Runs <c>dotnet msbuild <paramref name="project"/></c> with <paramref name="arguments"/> (no node reuse); returns the exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string project, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet", ["msbuild", project, .. arguments, "-nologo", "-nodeReuse:false"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}

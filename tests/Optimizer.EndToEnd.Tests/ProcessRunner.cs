using System.Diagnostics;
using System.Text;

namespace Optimizer.EndToEnd.Tests;

internal sealed record ProcessResult(int ExitCode, string Output)
{
    public ProcessResult AssertSucceeded(string what)
    {
        if (ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"{what} exited with {ExitCode}:\n{Output}");
        return this;
    }
}

/// <summary>Runs a command to completion, capturing stdout and stderr together.</summary>
internal static class ProcessRunner
{
    public static ProcessResult Run(string fileName, string arguments, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Test hosts run inside `dotnet test`; keep its MSBuild settings out of the child builds.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH" })
            info.Environment.Remove(name);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        if (environment != null)
            foreach (var (key, value) in environment) info.Environment[key] = value;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {arguments} did not finish:\n{output}");
        }
        process.WaitForExit();
        lock (output) return new ProcessResult(process.ExitCode, output.ToString());
    }
}

using System.Diagnostics;
using System.Text.Json;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Tool.Tests;

/// <summary>
/// The packed tool as a user gets it: <c>dotnet tool install --tool-path</c> from the feed build/test.sh
/// packs (OPTIMIZER_E2E_FEED, OPTIMIZER_E2E_VERSION), then <c>onnx-opt</c> runs with its own copy of
/// ONNX Runtime's native library.
/// </summary>
public sealed class InstalledToolTests(ITestOutputHelper output)
{
    [ConditionalFact(Needs.PackedFeed, "data")]
    public void The_packed_tool_installs_and_runs_inspect_and_bench()
    {
        var (feed, version) = PackedFeed.Required;
        Assert.True(File.Exists(Path.Combine(feed, $"Optimizer.Tool.{version}.nupkg")), $"build/pack.sh packed no Optimizer.Tool {version} into {feed}");
        var model = ToolRun.SharedModel("digits_cnn.onnx");
        using var run = new ToolRun();
        var toolPath = run.PathOf("tools");
        var install = Run("dotnet", run.Directory, "tool", "install", "Optimizer.Tool", "--version", version, "--tool-path", toolPath, "--add-source", feed);
        Assert.True(install.ExitCode == 0, install.Output);

        var executable = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "onnx-opt.exe" : "onnx-opt");
        var inspect = Run(executable, run.Directory, "inspect", model, "--json");
        Assert.True(inspect.ExitCode == 0, inspect.Output);
        Assert.Equal(6090, JsonDocument.Parse(inspect.Stdout).RootElement.GetProperty("parameters").GetInt64());

        var bench = Run(executable, run.Directory, "bench", model, "--duration", "0.2", "--json");
        Assert.True(bench.ExitCode == 0, bench.Output);
        Assert.True(JsonDocument.Parse(bench.Stdout).RootElement.GetProperty("models")[0].GetProperty("p50Ms").GetDouble() > 0);

        var usage = Run(executable, run.Directory, "inspect");
        Assert.Equal(2, usage.ExitCode);
    }

    private (int ExitCode, string Stdout, string Output) Run(string file, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(" ", args)} did not finish in 3 minutes");
        }

        var text = $"{file} {string.Join(" ", args)} → {process.ExitCode}\n{stdout.Result}\n{stderr.Result}";
        output.WriteLine(text);
        return (process.ExitCode, stdout.Result, text);
    }
}

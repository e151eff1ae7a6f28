using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Optimizer.Hostile.Tests;

/// <summary>Runs the real <c>onnx-opt</c> (<c>dotnet Optimizer.Tool.dll</c>, as built by the solution) as a child process with a hard time limit.</summary>
internal static class CliProcess
{
    /// <summary>Seconds one case may run before it counts as a hang (HOSTILE_CASE_TIMEOUT_S, default 60).</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_CASE_TIMEOUT_S"), out var seconds) && seconds > 0 ? seconds : 60);

    /// <summary>The Tool's own build output (its deps.json places ONNX Runtime's native library); the copy beside the tests otherwise.</summary>
    public static string ToolAssembly { get; } = FindTool();

    public static CliResult Run(string workingDirectory, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ToolAssembly);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var finished = process.WaitForExit(Timeout);
        if (!finished)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        else
        {
            process.WaitForExit(); // drains the redirected output
        }

        lock (stdout) lock (stderr)
            return new CliResult(finished ? process.ExitCode : null, stdout.ToString(), stderr.ToString(), stopwatch.Elapsed);
    }

    private static string FindTool()
    {
        var built = typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "OptimizerToolAssembly")?.Value;
        if (built is not null && File.Exists(built))
            return built;
        var beside = Path.Combine(AppContext.BaseDirectory, "Optimizer.Tool.dll");
        return File.Exists(beside) ? beside : throw new FileNotFoundException($"Optimizer.Tool.dll is neither at {built} nor beside the tests; build tests/Optimizer.Hostile.Tests first.");
    }
}

/// <summary>What one run did; <see cref="ExitCode"/> is null when it was killed at the time limit.</summary>
internal sealed record CliResult(int? ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public bool Hung => ExitCode is null;

    /// <summary>.NET reports a child killed by signal N as 128 + N.</summary>
    public bool KilledBySignal => ExitCode >= 128;

    public override string ToString() =>
        $"exit {(Hung ? "none (killed at the time limit)" : ExitCode.ToString())} after {Elapsed.TotalSeconds:F1} s\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

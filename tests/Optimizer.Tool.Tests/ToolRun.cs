using System.Diagnostics;
using System.Text.Json;
using Optimizer.Engine.Cli;
using Optimizer.Tests.Shared;

namespace Optimizer.Tool.Tests;

/// <summary>Runs <c>onnx-opt</c> (and the engine's own entry point) in-process in a temporary folder, capturing output.</summary>
internal sealed class ToolRun : IDisposable
{
    public ToolRun()
    {
        Directory = Path.Combine(Path.GetTempPath(), "optimizer-tool-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>../shared/data/models/<paramref name="file"/>, for tests marked <c>[ConditionalFact("data")]</c>.</summary>
    public static string SharedModel(string file) => Path.Combine(RepositoryLayout.RequiredShared("data/models"), file);

    /// <summary>../shared/data/digits/<paramref name="file"/>, for tests marked <c>[ConditionalFact("data")]</c>.</summary>
    public static string SharedDigits(string file) => Path.Combine(RepositoryLayout.RequiredShared("data/digits"), file);

    public static Result Tool(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exitCode = ToolCli.Run(args, stdout, stderr);
        return new Result(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// The built tool as a real process (<c>dotnet Optimizer.Tool.dll</c> beside the tests) in this folder:
    /// what a user runs, with its worker process. Fails the test if it runs over 3 minutes.
    /// </summary>
    public Result Process(params string[] args)
    {
        // On Linux through sh with core files allowed (the soft limit is often 0), so a core the tool failed to suppress would show.
        var start = new ProcessStartInfo(OperatingSystem.IsLinux() ? "/bin/sh" : "dotnet")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (OperatingSystem.IsLinux())
        {
            foreach (var arg in new[] { "-c", "ulimit -c unlimited 2>/dev/null || ulimit -c \"$(ulimit -Hc)\"; exec dotnet \"$@\"", "sh" })
                start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Optimizer.Tool.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove(Supervision.WorkerProcess.WorkerVariable);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"onnx-opt {string.Join(" ", args)} did not finish in 3 minutes");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static Result Engine(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exitCode = EngineCli.Run(args, stdout, stderr);
        return new Result(exitCode, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement;

        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }
}

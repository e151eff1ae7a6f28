using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Supervision;
using Optimizer.Tool.Output;

namespace Optimizer.Tool.Supervision;

/// <summary>
/// Commands that run ONNX Runtime on a user's model (optimize, verify, bench, report) run in a
/// child process of <c>onnx-opt</c> itself: a hostile model can make ONNX Runtime raise a signal
/// (SIGFPE on <c>Div(int64 min, -1)</c>) that no managed handler catches, and the tool must still
/// say what happened with a code. The worker is the same program with the same arguments and
/// <see cref="WorkerVariable"/> set; its stdio is inherited, so progress and <c>--json</c> output are
/// unchanged. When it dies by a signal, the supervisor prints <see cref="EngineCrash"/>'s message as
/// a coded error (OPT1080) naming the stage the worker recorded, and exits 1.
/// </summary>
internal static class WorkerProcess
{
    /// <summary>Set (to "1") in the worker's environment: run the command here, do not start another worker.</summary>
    public const string WorkerVariable = "OPTIMIZER_TOOL_WORKER";

    private static readonly HashSet<string> CommandsRunningOnnxRuntime = new(StringComparer.Ordinal) { "optimize", "verify", "bench", "report" };

    /// <summary>
    /// Runs the command in a worker when it runs ONNX Runtime and this process is not already the
    /// worker; returns the exit code, or null when the caller should run the command in-process.
    /// </summary>
    public static int? Supervise(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (Environment.GetEnvironmentVariable(WorkerVariable) == "1")
        {
            CoreDumps.Disable(); // the supervisor reports a crash; a core file would only litter the user's folder
            return null;
        }

        if (args.Count == 0 || !CommandsRunningOnnxRuntime.Contains(args[0]) || args.Contains("--help") || args.Contains("-h")
            || WorkerStart(args) is not { } start)
        {
            return null;
        }

        var stageFile = Path.Combine(Path.GetTempPath(), $"onnx-opt-stage-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        start.Environment[EngineCrash.StageFileVariable] = stageFile;
        start.Environment[WorkerVariable] = "1";
        // A crash dump of a hostile model's crash is of no use to the user and can be large.
        start.Environment.Remove("DOTNET_DbgEnableMiniDump");
        start.Environment.Remove("COMPlus_DbgEnableMiniDump");
        try
        {
            using var worker = Process.Start(start);
            if (worker is null)
            {
                return null;
            }

            // Ctrl+C reaches the worker too (same process group); the supervisor waits for it to finish.
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Kill(worker));
            worker.WaitForExit();
            return Report(worker.ExitCode, EngineCrash.ReadStage(stageFile), args, stdout, stderr);
        }
        finally
        {
            TryDelete(stageFile);
        }
    }

    /// <summary>The worker's exit code, or for a death by signal, OPT1080 on stderr (and as a JSON error with <c>--json</c>) and 1.</summary>
    internal static int Report(int exitCode, string? stage, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (EngineCrash.Describe(exitCode, stage) is not { } message)
        {
            return exitCode;
        }

        message = "onnx-opt " + args[0] + ": " + message;
        stderr.WriteLine(ErrorLines.Format(EngineCrash.Code, message, null));
        if (args.Contains("--json"))
        {
            stdout.WriteLine(JsonSerializer.Serialize(new { error = new { code = EngineCrash.Code, message } }, ToolContext.JsonOptions));
        }

        return ExitCodes.Failure;
    }

    /// <summary>This program again: the apphost, or <c>dotnet</c> with the entry assembly when the host is <c>dotnet</c>.</summary>
    private static ProcessStartInfo? WorkerStart(IReadOnlyList<string> args)
    {
        if (Environment.ProcessPath is not { } host)
        {
            return null;
        }

        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            if (Assembly.GetEntryAssembly()?.Location is not { Length: > 0 } entry)
            {
                return null;
            }

            start.ArgumentList.Add(entry);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private static void Kill(Process worker)
    {
        try
        {
            worker.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A stage file left in the temp folder is harmless.
        }
    }
}

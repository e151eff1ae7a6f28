using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Threading;

namespace Optimizer.Build.Tasks.Engine;

/// <summary>
/// Runs one engine process to its end within a wall-clock limit. Its stdout and stderr are read
/// asynchronously (a full pipe can never block it) and handed, line by line, to the caller's
/// thread, which is the thread MSBuild lets log. On timeout or cancellation the whole process
/// tree is killed; the build never waits longer than the limit plus a few seconds.
/// </summary>
internal static class EngineProcess
{
    /// <summary>How long the output may stay open after the engine exited (a stray grandchild holding the pipe).</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private const int MaxQueuedLines = 4096;

    /// <exception cref="System.ComponentModel.Win32Exception">The host could not be started.</exception>
    public static EngineOutcome Run(
        string fileName, string arguments, IEnumerable<KeyValuePair<string, string>> environment,
        TimeSpan limit, WaitHandle cancelled, Action<string> onLine)
    {
        var info = new ProcessStartInfo(fileName, arguments)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var variable in environment)
            info.Environment[variable.Key] = variable.Value;

        // Bounded, so an engine that prints faster than MSBuild logs waits on its pipe instead of
        // filling memory. Not disposed: a stray grandchild may still write after this returned.
        var lines = new BlockingCollection<string>(MaxQueuedLines);
        var streamsOpen = new CountdownEvent(2);
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Receive(e.Data, lines, streamsOpen);
        process.ErrorDataReceived += (_, e) => Receive(e.Data, lines, streamsOpen);
        process.Start();
        var clock = Stopwatch.StartNew();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        TimeSpan? exitedAt = null;
        var ending = EngineEnding.Exited;
        while (true)
        {
            // The limit and cancellation are checked after every line too: an engine that prints
            // without end must not outrun them.
            if (lines.TryTake(out var line, Poll))
                onLine(line);
            if (cancelled.WaitOne(0))
            {
                ending = EngineEnding.Cancelled;
                break;
            }

            if (exitedAt is null && process.HasExited)
                exitedAt = clock.Elapsed;
            if (exitedAt is null && clock.Elapsed > limit)
            {
                ending = EngineEnding.TimedOut;
                break;
            }

            if (exitedAt is not null && (streamsOpen.IsSet || clock.Elapsed - exitedAt > OutputGrace))
                break;
        }

        if (ending != EngineEnding.Exited)
        {
            ProcessTree.Kill(process);
            process.WaitForExit((int)OutputGrace.TotalMilliseconds);
            streamsOpen.Wait(OutputGrace);
        }

        lines.CompleteAdding();
        while (lines.TryTake(out var rest))
            onLine(rest);

        return new EngineOutcome(ending, ending == EngineEnding.Exited ? process.ExitCode : -1);
    }

    private static void Receive(string? data, BlockingCollection<string> lines, CountdownEvent streamsOpen)
    {
        try
        {
            if (data is null)
                streamsOpen.Signal();
            else
                lines.Add(data);
        }
        catch (InvalidOperationException)
        {
            // Output after the run was judged (CompleteAdding) belongs to no model; drop it.
        }
    }
}

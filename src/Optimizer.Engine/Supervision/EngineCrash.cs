using System;
using System.IO;

namespace Optimizer.Engine.Supervision;

/// <summary>
/// What a supervisor (the MSBuild task, or <c>onnx-opt</c> running its worker) says when the engine
/// process dies without a coded error: native code such as ONNX Runtime can raise a signal
/// (SIGFPE on <c>Div(int64 min, -1)</c>) that no managed handler can catch. The engine keeps the
/// stage it is in, in words, in the file named by <see cref="StageFileVariable"/>, so the message
/// can say what was running.
/// </summary>
/// <remarks>netstandard2.0-compatible: the task links this file.</remarks>
internal static class EngineCrash
{
    /// <summary>The engine process was killed by a signal (a crash in native code).</summary>
    public const string Code = "OPT1080";

    /// <summary>Environment variable naming the file the engine overwrites with its current stage.</summary>
    public const string StageFileVariable = "OPTIMIZER_ENGINE_STAGE_FILE";

    /// <summary>
    /// The message for an engine that exited with <paramref name="exitCode"/>, or null when the exit
    /// code is not a death by signal (128 + signal number, as .NET and shells report it on Unix).
    /// </summary>
    public static string? Describe(int exitCode, string? stage)
    {
        if (exitCode <= 128 || exitCode > 128 + 64)
        {
            return null;
        }

        int signal = exitCode - 128;
        string where = string.IsNullOrWhiteSpace(stage) ? "before it reported a stage" : "while " + stage!.Trim();
        return $"The optimizer engine crashed: it was killed by {SignalName(signal)} (signal {signal}) {where}. " +
               (signal == 9
                   ? "SIGKILL usually means the machine ran out of memory; try the model on a machine with more memory, or report it."
                   : "This is a crash in native code (usually ONNX Runtime) on this model; the model is likely malformed or hostile. Check the model, or report it with the model attached.");
    }

    /// <summary>Reads the stage file, or null when it is absent or unreadable.</summary>
    public static string? ReadStage(string? stageFile)
    {
        if (string.IsNullOrEmpty(stageFile))
        {
            return null;
        }

        try
        {
            return File.Exists(stageFile) ? File.ReadAllText(stageFile).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string SignalName(int signal) => signal switch
    {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => "signal " + signal,
    };
}

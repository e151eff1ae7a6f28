namespace Optimizer.Build.Tasks.Engine;

/// <summary>How one engine process ended.</summary>
internal enum EngineEnding
{
    /// <summary>It exited on its own; <see cref="EngineOutcome.ExitCode"/> says how.</summary>
    Exited,

    /// <summary>It ran past its wall-clock limit and its process tree was killed.</summary>
    TimedOut,

    /// <summary>The build was cancelled and its process tree was killed.</summary>
    Cancelled,
}

/// <summary>The end of one engine run: how it ended and, when it exited, its exit code.</summary>
internal sealed record EngineOutcome(EngineEnding Ending, int ExitCode);

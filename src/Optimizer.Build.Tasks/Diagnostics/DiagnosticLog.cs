using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Optimizer.Build.Tasks.Diagnostics;

/// <summary>
/// Logs the build's coded diagnostics, the task's own and those the engine prints, each with a
/// link to its entry in docs/diagnostics.md: as the event's help link (the terminal logger and IDEs
/// make the code a link) and at the end of the message (the console logger shows no help link).
/// Without a diagnostics list the messages are logged as they are.
/// </summary>
internal sealed class DiagnosticLog
{
    private readonly string? _diagnosticsList;

    /// <param name="log">The task's log.</param>
    /// <param name="diagnosticsList">docs/diagnostics.md (a path or URI, see <see cref="HelpLink"/>), or null.</param>
    public DiagnosticLog(TaskLoggingHelper log, string? diagnosticsList)
    {
        Log = log;
        _diagnosticsList = diagnosticsList;
    }

    /// <summary>The task's log, for what has no code.</summary>
    public TaskLoggingHelper Log { get; }

    public void Error(BuildDiagnostic diagnostic) => Error(diagnostic.Code, diagnostic.Location, diagnostic.Message);

    public void Error(string code, SourceLocation at, string message)
    {
        var link = HelpLink.For(_diagnosticsList, code);
        Log.LogError(null, code, null, link, at.File, at.Line, at.Column, 0, 0, HelpLink.AppendTo(message, link));
    }

    public void Warning(string code, SourceLocation at, string message)
    {
        var link = HelpLink.For(_diagnosticsList, code);
        Log.LogWarning(null, code, null, link, at.File, at.Line, at.Column, 0, 0, HelpLink.AppendTo(message, link));
    }

    /// <summary>
    /// Logs one line the engine printed: a coded error or warning with its link, any other line (the
    /// summary line among them) as a high-importance message. True when it logged an error.
    /// </summary>
    public bool EngineLine(string line)
    {
        var diagnostic = EngineDiagnostic.Parse(line);
        if (diagnostic is null)
            return Log.LogMessageFromText(line, MessageImportance.High);

        if (diagnostic.IsError)
            Error(diagnostic.Code, diagnostic.Location, diagnostic.Message);
        else
            Warning(diagnostic.Code, diagnostic.Location, diagnostic.Message);
        return diagnostic.IsError;
    }
}

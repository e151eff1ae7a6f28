using System.Collections;
using Microsoft.Build.Framework;

namespace Optimizer.Diagnostics.Tests.Support;

/// <summary>Records the errors and warnings a task logs.</summary>
internal sealed class RecordingBuildEngine : IBuildEngine
{
    public List<BuildErrorEventArgs> Errors { get; } = [];
    public List<BuildWarningEventArgs> Warnings { get; } = [];

    public bool ContinueOnError => false;
    public int LineNumberOfTaskNode => 0;
    public int ColumnNumberOfTaskNode => 0;
    public string ProjectFileOfTaskNode => "test.csproj";

    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);
    public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e);
    public void LogMessageEvent(BuildMessageEventArgs e) { }
    public void LogCustomEvent(CustomBuildEventArgs e) { }

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException();

    /// <summary>The logged errors and warnings, as the parts MSBuild prints (the help link aside).</summary>
    public IEnumerable<Diagnostic> Diagnostics =>
        Errors.Select(e => new Diagnostic("error", e.Code, e.File, e.LineNumber, e.ColumnNumber, e.Message))
            .Concat(Warnings.Select(w => new Diagnostic("warning", w.Code, w.File, w.LineNumber, w.ColumnNumber, w.Message)));

    public sealed record Diagnostic(string Severity, string Code, string File, int Line, int Column, string? Message);
}

namespace Optimizer.Build.Tasks.Diagnostics;

/// <summary>A coded error found while discovering or planning; the task logs it as an MSBuild error.</summary>
internal sealed record BuildDiagnostic(string Code, string Message, SourceLocation Location)
{
    public override string ToString() =>
        $"{Location.File}({Location.Line},{Location.Column}): error {Code}: {Message}";
}

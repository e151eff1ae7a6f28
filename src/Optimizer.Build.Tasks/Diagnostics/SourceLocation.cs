namespace Optimizer.Build.Tasks.Diagnostics;

/// <summary>Where a declaration was written: a source file or project file, 1-based; 0 = unknown.</summary>
internal sealed record SourceLocation(string File, int Line, int Column)
{
    public static SourceLocation FileOnly(string file) => new(file, 0, 0);
}

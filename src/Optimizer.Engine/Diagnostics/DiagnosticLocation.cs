namespace Optimizer.Engine.Diagnostics;

/// <summary>A file and 1-based line/column (0 = unknown) that a diagnostic points at.</summary>
public sealed record DiagnosticLocation(string File, int Line = 0, int Column = 0);

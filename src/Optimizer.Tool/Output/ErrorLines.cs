using Optimizer.Engine.Diagnostics;

namespace Optimizer.Tool.Output;

/// <summary>
/// The CLI's error lines: <c>error OPT1234: message</c>, or <c>file(line): error OPT1234: message</c>
/// when the error points into a file. The engine's canonical lines name their origin
/// (<c>Optimizer.Engine: error …</c>) for MSBuild's log; in a terminal that origin is noise.
/// </summary>
internal static class ErrorLines
{
    private const string OriginPrefix = CanonicalError.Origin + ": ";

    public static string Format(string code, string message, DiagnosticLocation? location) =>
        ForTerminal(CanonicalError.Format(code, message, location));

    /// <summary>The engine's canonical line without its origin prefix.</summary>
    public static string ForTerminal(string canonicalLine) =>
        canonicalLine.StartsWith(OriginPrefix, StringComparison.Ordinal) ? canonicalLine[OriginPrefix.Length..] : canonicalLine;
}

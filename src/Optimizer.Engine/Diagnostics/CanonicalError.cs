namespace Optimizer.Engine.Diagnostics;

/// <summary>
/// Formats errors the way MSBuild (and VS, VS Code, CI log parsers) recognize them:
/// <c>file(line,col): error OPT1234: message</c>. The build task relies on this exact shape.
/// </summary>
public static class CanonicalError
{
    public const string Origin = "Optimizer.Engine";

    public static string Format(string code, string message, DiagnosticLocation? location) =>
        Format("error", code, message, location);

    /// <summary>A warning in the same shape: MSBuild logs it as a warning and the build goes on.</summary>
    public static string FormatWarning(string code, string message, DiagnosticLocation? location) =>
        Format("warning", code, message, location);

    private static string Format(string severity, string code, string message, DiagnosticLocation? location)
    {
        var where = location switch
        {
            null or { File.Length: 0 } => Origin,
            { Line: > 0, Column: > 0 } => $"{location.File}({location.Line},{location.Column})",
            { Line: > 0 } => $"{location.File}({location.Line})",
            _ => location.File,
        };

        return $"{where}: {severity} {code}: {OneLine(message)}";
    }

    /// <summary>
    /// One line per diagnostic (or summary line), whatever a model's or data file's names hold: MSBuild
    /// parses line by line, so a line terminator (also U+0085, U+2028, U+2029) could forge a second
    /// diagnostic, and control characters (ESC sequences) could rewrite the terminal. Each becomes a space.
    /// </summary>
    public static string OneLine(string message)
    {
        var chars = message.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]) || chars[i] is '\u2028' or '\u2029')
                chars[i] = ' ';
        }

        return new string(chars);
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Optimizer.Build.Tasks.Diagnostics;

/// <summary>
/// A coded diagnostic line as the engine prints it (Optimizer.Engine's CanonicalError):
/// <c>file(line,col): error OPT1234: message</c>, <c>file(line): …</c>, <c>file: …</c>, or the
/// engine's name where there is no file. Read into the parts MSBuild would read from it, so the
/// task can log it with its help link.
/// </summary>
internal sealed record EngineDiagnostic(bool IsError, string Code, SourceLocation Location, string Message)
{
    private static readonly Regex Shape = new(
        @"^(?<origin>.+?)(?:\((?<line>[0-9]+)(?:,(?<column>[0-9]+))?\))?: (?<severity>error|warning) (?<code>OPT[0-9]{4}): (?<message>.*)$",
        RegexOptions.CultureInvariant);

    /// <summary>The diagnostic on <paramref name="line"/>, or null when the line is not one.</summary>
    public static EngineDiagnostic? Parse(string line)
    {
        var match = Shape.Match(line);
        if (!match.Success)
            return null;

        var location = new SourceLocation(match.Groups["origin"].Value.Trim(), Number(match.Groups["line"]), Number(match.Groups["column"]));
        return new EngineDiagnostic(match.Groups["severity"].Value == "error", match.Groups["code"].Value, location, match.Groups["message"].Value.Trim());
    }

    // As MSBuild reads a location: what is absent or does not fit an int is 0 (unknown).
    private static int Number(Group group) =>
        int.TryParse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
}

using System;
using System.IO;

namespace Optimizer.Build.Tasks.Diagnostics;

/// <summary>
/// Where a code's entry is: docs/diagnostics.md, which the Optimizer.Build package carries and names
/// in the <see cref="Property"/> build property, with the code as its anchor (<c>### OPT1001</c> is
/// <c>#opt1001</c>). A file URI works offline and names no server. The task and the source generator
/// (which links this file) build their links here, so both link alike.
/// </summary>
internal static class HelpLink
{
    /// <summary>The build property (and compiler-visible property) naming the list: a file path or an absolute URI.</summary>
    public const string Property = "OptimizerDiagnosticsHelp";

    /// <summary>The link to <paramref name="code"/>'s entry in <paramref name="diagnosticsList"/>, or null when there is no list.</summary>
    public static string? For(string? diagnosticsList, string code)
    {
        if (diagnosticsList is null || diagnosticsList.Trim().Length == 0)
            return null;

        var list = diagnosticsList.Trim();
        var uri = Path.IsPathRooted(list) ? new Uri(list).AbsoluteUri
            : Uri.TryCreate(list, UriKind.Absolute, out var absolute) ? absolute.AbsoluteUri
            : null;
        return uri is null ? null : uri + "#" + code.ToLowerInvariant();
    }

    /// <summary>
    /// The message with its link at the end, as the compiler shows a help link ("message (link)"):
    /// MSBuild's console logger prints no help link of its own.
    /// </summary>
    public static string AppendTo(string message, string? link) => link is null ? message : message + " (" + link + ")";
}

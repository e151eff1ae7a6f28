using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Optimizer.Diagnostics.Tests.Support;
using Optimizer.Engine.Diagnostics;
using Optimizer.Tests.Shared;

namespace Optimizer.Diagnostics.Tests;

/// <summary>
/// Each diagnostic links to its entry in docs/diagnostics.md: the task's own errors, the engine's
/// lines the task relays, and the generator's diagnostics. The build names the list (the package's
/// copy) in OptimizerDiagnosticsHelp; here it is the repository's, so a link resolves to the very
/// heading these tests check the codes against.
/// </summary>
public sealed class HelpLinkTests : IDisposable
{
    private static readonly DiagnosticsDoc Doc = DiagnosticsDoc.Load();
    private readonly TaskProject _project = new("Models/not-there.onnx");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_task_error_links_to_its_entry()
    {
        var error = Assert.Single(_project.Run(Doc.Path).Errors);

        Assert.Equal("OPT1001", error.Code);
        AssertLinksToEntry(error.HelpLink, error.Code);
        // The console logger prints no help link, so the message ends with it, as the compiler's do.
        Assert.EndsWith($" ({error.HelpLink})", error.Message);
    }

    [Fact]
    public void Without_a_list_a_task_error_is_as_before()
    {
        var error = Assert.Single(_project.Run(diagnosticsList: null).Errors);

        Assert.Equal("OPT1001", error.Code);
        Assert.Null(error.HelpLink);
        Assert.EndsWith("Paths are relative to the project folder; fix the path or add the file.", error.Message);
    }

    public static TheoryData<string, int, int, bool> EngineLines => new()
    {
        { "Models.cs", 4, 2, true },
        { "Models.cs", 4, 0, true },
        { "Models.cs", 0, 0, false },
        { "", 0, 0, true }, // no file: the engine names itself
    };

    [ConditionalTheory(Needs.Linux)]
    [MemberData(nameof(EngineLines))]
    public void An_engine_diagnostic_is_logged_as_MSBuild_reads_it_plus_its_link(string file, int line, int column, bool isError)
    {
        var (expected, plain, _) = RunEngineLine(diagnosticsList: null, file, line, column, isError);
        Assert.Equal(expected, Assert.Single(plain.Diagnostics));
        Assert.All(plain.Errors, e => Assert.Null(e.HelpLink));
        Assert.All(plain.Warnings, w => Assert.Null(w.HelpLink));

        (expected, var linked, var link) = RunEngineLine(Doc.Path, file, line, column, isError);
        AssertLinksToEntry(link, expected.Code);
        Assert.Equal(expected with { Message = $"{expected.Message} ({link})" }, Assert.Single(linked.Diagnostics));
    }

    /// <summary>
    /// Runs the task on a fresh project whose engine prints one coded line; returns what MSBuild itself
    /// makes of that line (as the task logged it before links), what the task logged, and its help link.
    /// </summary>
    private static (RecordingBuildEngine.Diagnostic Expected, RecordingBuildEngine Logged, string? Link) RunEngineLine(
        string? diagnosticsList, string file, int line, int column, bool isError)
    {
        using var project = new TaskProject();
        var location = file.Length == 0 ? null : new DiagnosticLocation(Path.Combine(project.Folder, file), line, column);
        const string message = "Models/tiny.onnx: a {0} value in 'x' (y) is bad.  ";
        var printed = isError ? CanonicalError.Format("OPT1102", message, location) : CanonicalError.FormatWarning("OPT1061", message, location);

        var reference = new RecordingBuildEngine();
        new TaskLoggingHelper(reference, "OptimizeOnnxModels").LogMessageFromText(printed, MessageImportance.High);

        var logged = project.Run(diagnosticsList, project.EnginePrinting(printed, succeed: !isError));
        var link = isError ? logged.Errors.SingleOrDefault()?.HelpLink : logged.Warnings.SingleOrDefault()?.HelpLink;
        return (Assert.Single(reference.Diagnostics), logged, link);
    }

    [Fact]
    public void A_generator_diagnostic_links_to_its_entry()
    {
        const string source = """
            namespace App;

            [Optimizer.Runtime.OnnxModel("Models/tiny.onnx")]
            public class NotPartial { }
            """;

        var linked = Assert.Single(GeneratorRun.Diagnostics(source, new Dictionary<string, string> { ["OptimizerDiagnosticsHelp"] = Doc.Path }));
        Assert.Equal("OPT2002", linked.Id);
        AssertLinksToEntry(linked.Descriptor.HelpLinkUri, linked.Id);

        var plain = Assert.Single(GeneratorRun.Diagnostics(source, new Dictionary<string, string>()));
        Assert.Equal("OPT2002", plain.Id);
        Assert.Equal("", plain.Descriptor.HelpLinkUri);
    }

    [Fact]
    public void A_list_given_as_a_URL_is_linked_as_it_is()
    {
        var error = Assert.Single(_project.Run("https://docs.example/optimizer/diagnostics.html").Errors);

        Assert.Equal("https://docs.example/optimizer/diagnostics.html#opt1001", error.HelpLink);
    }

    /// <summary>The link is a file URI of docs/diagnostics.md whose anchor is the code's heading there.</summary>
    private static void AssertLinksToEntry(string? link, string code)
    {
        Assert.NotNull(link);
        var uri = new Uri(link);
        Assert.True(uri.IsFile, link);
        Assert.Equal(Path.GetFullPath(Doc.Path), Path.GetFullPath(uri.LocalPath));
        Assert.Equal("#" + DiagnosticsDoc.AnchorOf(code), uri.Fragment);
        Assert.Contains(uri.Fragment[1..], Doc.Anchors);
        Assert.Single(Doc.Entries, entry => entry.Code == code);
    }
}

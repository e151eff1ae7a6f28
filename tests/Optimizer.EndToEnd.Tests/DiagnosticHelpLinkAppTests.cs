using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// In a real `dotnet build` against the packed package, each diagnostic ends with a link to its
/// entry in the package's own docs/diagnostics.md: the task's errors, the engine's errors the task
/// relays, and the generator's (printed by the compiler). The link must open offline: a file in the
/// restored package, with the code's heading.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class DiagnosticHelpLinkAppTests(PackedPackages packages, ITestOutputHelper output)
{
    [Fact]
    public void Task_and_engine_errors_link_to_the_packaged_list()
    {
        using var app = new TestApp(packages, "HelpLinkApp");
        app.WriteFile("Models/broken.onnx", "this is not a protobuf model \u0001\u0002\u0003");
        app.WriteFile("Program.cs", """
            using Optimizer.Runtime;

            Console.WriteLine("unreachable");

            [OnnxModel("Models/not-there.onnx")]
            public partial class Missing;

            [OnnxModel("Models/broken.onnx")]
            public partial class Broken;
            """);

        var build = app.Build();
        output.WriteLine(build.Output);

        Assert.NotEqual(0, build.ExitCode);
        AssertLinked(build.Output, "error OPT1001"); // the task's own
        AssertLinked(build.Output, "error OPT1102"); // the engine's, relayed by the task
    }

    [Fact]
    public void Generator_errors_link_to_the_packaged_list()
    {
        using var app = new TestApp(packages, "GeneratorHelpLinkApp");
        File.WriteAllBytes(Path.Combine(app.Directory, "tiny.onnx"), TinyOnnxModel.Relu("x", "y", "batch", "relu"));
        app.WriteFile("Program.cs", """
            using Optimizer.Runtime;

            Console.WriteLine("unreachable");

            [OnnxModel("tiny.onnx")]
            public class NotPartial { }
            """);

        var build = app.Build();
        output.WriteLine(build.Output);

        Assert.NotEqual(0, build.ExitCode);
        AssertLinked(build.Output, "error OPT2002");
    }

    /// <summary>The first line with <paramref name="diagnostic"/> ends with "(file:///…/docs/diagnostics.md#optNNNN)", and that file has the heading.</summary>
    private static void AssertLinked(string buildOutput, string diagnostic)
    {
        var line = buildOutput.Split('\n').FirstOrDefault(l => l.Contains(diagnostic));
        Assert.True(line is not null, $"no '{diagnostic}' in the build output");
        var code = diagnostic.Split(' ')[1];
        var link = Regex.Match(line, @"\((?<link>file://[^ ()]+)\)( \[[^\]]*\])?\s*$");
        Assert.True(link.Success, $"no help link at the end of: {line}");

        var uri = new Uri(link.Groups["link"].Value);
        Assert.Equal("#" + code.ToLowerInvariant(), uri.Fragment);
        Assert.EndsWith(Path.Combine("docs", "diagnostics.md"), uri.LocalPath);
        Assert.True(File.Exists(uri.LocalPath), $"{uri.LocalPath} does not exist");
        Assert.Contains($"\n### {code}\n", File.ReadAllText(uri.LocalPath).Replace("\r\n", "\n"));
    }
}

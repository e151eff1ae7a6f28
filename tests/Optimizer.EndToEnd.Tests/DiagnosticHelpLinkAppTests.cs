using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// In a real `dotnet build` against the packed package, each diagnostic ends with a link to its entry
/// in the package's own docs/diagnostics.md, which must open offline: a file in the restored package
/// with the code's heading. The task's errors, the engine's (relayed by the task) and the
/// generator's (printed by the compiler) alike.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class DiagnosticHelpLinkAppTests(PackedPackages packages, ITestOutputHelper output)
{
    [Fact]
    public void Task_and_engine_errors_link_to_the_packaged_list()
    {
        var buildOutput = FailedBuild("HelpLinkApp", "broken.onnx", "not a protobuf model \u0001\u0002"u8.ToArray(), """
            [OnnxModel("not-there.onnx")]
            public partial class Missing;

            [OnnxModel("broken.onnx")]
            public partial class Broken;
            """);

        AssertLinked(buildOutput, "OPT1001"); // the task's own
        AssertLinked(buildOutput, "OPT1102"); // the engine's, relayed by the task
    }

    [Fact]
    public void Generator_errors_link_to_the_packaged_list()
    {
        var buildOutput = FailedBuild("GeneratorHelpLinkApp", "tiny.onnx", TinyOnnxModel.Relu("x", "y", "batch", "relu"), """
            [OnnxModel("tiny.onnx")]
            public class NotPartial { }
            """);

        AssertLinked(buildOutput, "OPT2002");
    }

    /// <summary>Builds an app with one model file and the given classes; the build must fail.</summary>
    private string FailedBuild(string name, string modelFile, byte[] model, string classes)
    {
        using var app = new TestApp(packages, name);
        File.WriteAllBytes(Path.Combine(app.Directory, modelFile), model);
        app.WriteFile("Program.cs", "using Optimizer.Runtime;\n\nConsole.WriteLine(\"unreachable\");\n\n" + classes + "\n");
        var build = app.Build();
        output.WriteLine(build.Output);
        Assert.NotEqual(0, build.ExitCode);
        return build.Output;
    }

    /// <summary>The first error with <paramref name="code"/> ends with "(file:///…/docs/diagnostics.md#code)", and that file has the code's heading.</summary>
    private static void AssertLinked(string buildOutput, string code)
    {
        var line = buildOutput.Split('\n').FirstOrDefault(l => l.Contains($"error {code}:"));
        Assert.True(line is not null, $"no error {code} in the build output");
        var link = Regex.Match(line, @"\((?<link>file://[^ ()]+)\)( \[[^\]]*\])?\s*$");
        Assert.True(link.Success, $"no help link at the end of: {line}");

        var uri = new Uri(link.Groups["link"].Value);
        Assert.Equal("#" + code.ToLowerInvariant(), uri.Fragment);
        Assert.EndsWith(Path.Combine("docs", "diagnostics.md"), uri.LocalPath);
        Assert.True(File.Exists(uri.LocalPath), $"{uri.LocalPath} does not exist");
        Assert.Contains($"\n### {code}\n", File.ReadAllText(uri.LocalPath).Replace("\r\n", "\n"));
    }
}

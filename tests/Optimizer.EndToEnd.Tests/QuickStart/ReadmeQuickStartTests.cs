using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests.QuickStart;

/// <summary>
/// README.md's quick start, taken as a new user takes it: its Program.cs block (between the
/// <c>quick-start:program</c> markers) becomes the whole Program.cs of a new console app that
/// references the packed Optimizer.Build, next to the model file it names; the app must build and
/// print exactly the README's output block (between the <c>quick-start:output</c> markers), and the
/// build must print the summary line naming the class and the model.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class ReadmeQuickStartTests(PackedPackages packages, ITestOutputHelper output)
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

    [Fact]
    public void The_readme_program_builds_against_the_package_and_prints_what_the_readme_says()
    {
        using var app = new TestApp(packages, "QuickStartApp");
        app.WriteFile("Program.cs", FencedBlock("quick-start:program", "csharp"));
        // The README has the user copy the model from samples/Digits/Models next to Program.cs.
        app.CopyFile(Path.Combine(RepositoryPaths.Root, "samples", "Digits", "Models", "digits_mlp.onnx"), "digits_mlp.onnx");

        var build = app.BuildLogged(output).AssertSucceeded("dotnet build of the README's Program.cs");
        Assert.Matches(@"digits_mlp\.onnx: no passes → [0-9.]+ KB → [0-9.]+ KB \([+-]?[0-9]+%\) for DigitClassifier, ", build.Output);

        var run = app.Run().AssertSucceeded("the README's app");
        output.WriteLine(run.Output);
        Assert.Equal(Lines(FencedBlock("quick-start:output", "text")), Lines(run.Output));
    }

    [Fact]
    public void The_readme_names_the_commands_and_where_the_package_and_tool_come_from()
    {
        Assert.Contains("build/pack.sh", Readme);
        Assert.Contains("dotnet nuget add source", Readme);
        Assert.Contains("dotnet add package Optimizer.Build", Readme);
        Assert.Contains("dotnet tool install --global Optimizer.Tool", Readme);
    }

    /// <summary>The fenced block of <paramref name="language"/> between <c>&lt;!-- marker --&gt;</c> and <c>&lt;!-- /marker --&gt;</c>.</summary>
    private static string FencedBlock(string marker, string language)
    {
        var match = Regex.Match(Readme, $@"<!-- {Regex.Escape(marker)} -->\s*```{language}\n(?<code>.*?)```\s*<!-- /{Regex.Escape(marker)} -->", RegexOptions.Singleline);
        Assert.True(match.Success, $"README.md has no ```{language} block between <!-- {marker} --> and <!-- /{marker} -->");
        return match.Groups["code"].Value;
    }

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

using System.Text;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>What the real-model app tests read back from a <see cref="TestApp"/>'s build: its log, optimized model and report.</summary>
internal static class AppBuildOutputs
{
    /// <summary>`dotnet build`, its whole output written to the test log (successful or not).</summary>
    public static ProcessResult BuildLogged(this TestApp app, ITestOutputHelper output)
    {
        var build = app.Build();
        output.WriteLine(build.Output);
        return build;
    }

    /// <summary>The one optimized model the build embedded, as Latin-1 text: enough to look for op type names in it.</summary>
    public static string OptimizedModelText(this TestApp app) =>
        Encoding.Latin1.GetString(File.ReadAllBytes(Directory.GetFiles(app.OptimizerOutputDirectory, "*.onnx").Single()));

    /// <summary>The one model's Markdown report.</summary>
    public static string MarkdownReport(this TestApp app) => Directory.GetFiles(app.OptimizerOutputDirectory, "*.report.md").Single();

    /// <summary>The build's summary line for <paramref name="modelFile"/> optimized by <paramref name="passes"/> (e.g. <c>quantize StaticInt8</c>).</summary>
    public static string SummaryLine(this ProcessResult build, string modelFile, string passes) =>
        build.Output.Split('\n').FirstOrDefault(line => line.Contains($"{modelFile}: {passes} →"))
        ?? throw new Xunit.Sdk.XunitException($"no '{modelFile}: {passes} →' summary line in the build output");
}

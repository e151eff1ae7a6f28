using Optimizer.Tests.Shared;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// Bad input fails a real `dotnet build` with a coded diagnostic that points at the declaration,
/// and leaves no optimized output behind.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class BuildDiagnosticsTests
{
    private readonly PackedPackages _packages;
    private readonly ITestOutputHelper _output;

    public BuildDiagnosticsTests(PackedPackages packages, ITestOutputHelper output)
    {
        _packages = packages;
        _output = output;
    }

    [Fact]
    public void Missing_model_fails_the_build_at_the_attribute_line()
    {
        using var app = new TestApp(_packages, "MissingModelApp");
        app.WriteFile("Program.cs", """
            using Optimizer.Runtime;

            Console.WriteLine("unreachable");

            [OnnxModel("Models/not-there.onnx")]
            [Quantize(QuantizationMode.DynamicInt8)]
            public partial class Missing;
            """);

        var build = app.Build();
        _output.WriteLine(build.Output);

        Assert.NotEqual(0, build.ExitCode);
        var error = ErrorLines(build.Output).First(line => line.Contains("not-there.onnx"));
        Assert.Matches(@"Program\.cs\(5,\d+\): error OPT1\d{3}:", error);
    }

    [Fact]
    public void Malformed_model_fails_the_build_with_a_coded_error_and_writes_nothing()
    {
        using var app = new TestApp(_packages, "MalformedModelApp");
        app.WriteFile("Models/broken.onnx", "this is not a protobuf model \u0001\u0002\u0003");
        app.WriteFile("Program.cs", """
            using Optimizer.Runtime;

            Console.WriteLine("unreachable");

            [OnnxModel("Models/broken.onnx")]
            [Quantize(QuantizationMode.DynamicInt8)]
            public partial class Broken;
            """);

        var build = app.Build();
        _output.WriteLine(build.Output);

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains(ErrorLines(build.Output), line => Regex.IsMatch(line, @"error OPT11\d\d:") && line.Contains("broken.onnx"));
        var outputs = Directory.Exists(app.OptimizerOutputDirectory)
            ? Directory.GetFiles(app.OptimizerOutputDirectory, "*.onnx*").Concat(Directory.GetFiles(app.OptimizerOutputDirectory, "*.model.json"))
            : [];
        Assert.Empty(outputs);
    }

    [ConditionalFact("data")]
    public void Class_that_is_not_partial_gets_a_generator_diagnostic()
    {
        var shared = RepositoryPaths.SharedData;
        using var app = new TestApp(_packages, "NotPartialApp");
        app.CopyFile(Path.Combine(shared, "models", "digits_mlp.onnx"), "Models/digits_mlp.onnx");
        app.WriteFile("Program.cs", """
            using Optimizer.Runtime;

            Console.WriteLine("unreachable");

            [OnnxModel("Models/digits_mlp.onnx")]
            public class NotPartial { }
            """);

        var build = app.Build();
        _output.WriteLine(build.Output);

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains(ErrorLines(build.Output), line => Regex.IsMatch(line, @"Program\.cs\(\d+,\d+\): error OPT2\d{3}:"));
    }

    private static IEnumerable<string> ErrorLines(string output) =>
        output.Split('\n').Where(line => line.Contains(": error "));
}

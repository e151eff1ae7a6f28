using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>$(OptimizerEngineTimeout) reaches the task from the package's targets and is checked there.</summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class EngineTimeLimitAppTests
{
    private readonly PackedPackages _packages;
    private readonly ITestOutputHelper _output;

    public EngineTimeLimitAppTests(PackedPackages packages, ITestOutputHelper output)
    {
        _packages = packages;
        _output = output;
    }

    [Fact]
    public void A_time_limit_that_is_not_seconds_fails_the_build_with_OPT1003()
    {
        using var app = new TestApp(_packages, "TimeLimitApp",
            "<PropertyGroup><OptimizerEngineTimeout>one hour</OptimizerEngineTimeout></PropertyGroup>");
        File.WriteAllBytes(Path.Combine(app.Directory, "tiny.onnx"), TinyOnnxModel.Relu("x", "y", "batch", "relu"));
        app.WriteFile("Program.cs", """
            using Optimizer.Runtime;

            Console.WriteLine("unreachable");

            [OnnxModel("tiny.onnx")]
            public partial class Tiny;
            """);

        var build = app.Build();
        _output.WriteLine(build.Output);

        Assert.NotEqual(0, build.ExitCode);
        Assert.Matches(new Regex(@"TimeLimitApp\.csproj.*: error OPT1003: OptimizerEngineTimeout is 'one hour', but it must be a whole number of seconds"), build.Output);
        Assert.False(File.Exists(Path.Combine(app.OptimizerOutputDirectory, "Tiny.onnx")));
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// In a real `dotnet build`, each model is judged on its own: a garbage model (refused by the
/// engine), a FIFO and /dev/zero (refused by the task, which used to hang on them) get their own
/// coded errors, and the valid model declared after them is optimized with no error of its own.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class PerModelJudgementAppTests
{
    private readonly PackedPackages _packages;
    private readonly ITestOutputHelper _output;

    public PerModelJudgementAppTests(PackedPackages packages, ITestOutputHelper output)
    {
        _packages = packages;
        _output = output;
    }

    [ConditionalFact(Needs.Linux)]
    public void Hostile_models_get_their_own_errors_and_the_valid_one_none()
    {
        using var app = new TestApp(_packages, "PerModelApp");
        app.WriteFile("Models/broken.onnx", "this is not a protobuf model \u0001\u0002\u0003");
        var models = Path.Combine(app.Directory, "Models");
        using (var mkfifo = Process.Start("mkfifo", Path.Combine(models, "pipe.onnx")))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        File.WriteAllBytes(Path.Combine(models, "valid.onnx"), TinyOnnxModel.Relu("x", "y", "batch", "relu"));
        // Plans run in name order: the broken model's engine run fails before the valid one's.
        app.WriteFile("Program.cs", """
            using Optimizer.Runtime;

            Console.WriteLine("unreachable");

            [OnnxModel("Models/broken.onnx")]
            public partial class ABroken;

            [OnnxModel("Models/pipe.onnx")]
            public partial class BPipe;

            [OnnxModel("/dev/zero")]
            public partial class BZero;

            [OnnxModel("Models/valid.onnx")]
            public partial class CValid;
            """);

        var clock = Stopwatch.StartNew();
        var build = app.Build();
        _output.WriteLine($"build took {clock.Elapsed}");
        _output.WriteLine(build.Output);

        Assert.NotEqual(0, build.ExitCode);
        var errors = build.Output.Split('\n').Where(line => line.Contains(": error ")).Distinct().ToList();
        Assert.Contains(errors, line => Regex.IsMatch(line, @"error OPT11\d\d:.*broken\.onnx"));
        Assert.Contains(errors, line => Regex.IsMatch(line, @"Program\.cs\(8,\d+\): error OPT1024:.*pipe\.onnx.*named pipe \(FIFO\)"));
        Assert.Contains(errors, line => Regex.IsMatch(line, @"Program\.cs\(11,\d+\): error OPT1024:.*/dev/zero"));
        Assert.DoesNotContain(errors, line => line.Contains("valid.onnx") || line.Contains("CValid") || line.Contains("(14,"));
        Assert.DoesNotContain(errors, line => line.Contains("OPT1021"));
        Assert.True(File.Exists(Path.Combine(app.OptimizerOutputDirectory, "CValid.onnx")));
        Assert.True(File.Exists(Path.Combine(app.OptimizerOutputDirectory, "CValid.model.json")));
        Assert.False(File.Exists(Path.Combine(app.OptimizerOutputDirectory, "ABroken.onnx")));
    }
}

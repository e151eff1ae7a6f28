using Optimizer.Tests.Shared;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// The engine's warnings on incremental builds: a plan found up to date shows the warnings of the
/// run that produced its outputs, with their codes and locations, and a run that warned no more (or
/// failed) leaves none to replay.
/// </summary>
public sealed partial class OptimizeOnnxModelsTaskTests
{
    /// <summary>A fake engine that prints a coded warning for the quantized plan, as the engine's speed check does.</summary>
    private string WarningHost() => SucceedingHost(
        $"{_project.Source("Models.cs")}(5,2): warning OPT1090: Models/digits.onnx: the DynamicInt8 model is slower than fp32 on this machine (p50 2.000 ms vs 1.000 ms, 2.00×); it is kept as declared.");

    [ConditionalFact(Needs.Linux)]
    public void An_up_to_date_plan_shows_the_warnings_of_the_run_that_made_its_outputs()
    {
        var first = Run(WarningHost());
        var cached = Run(WarningHost());

        Assert.True(first.Result && cached.Result);
        Assert.Equal(2, EngineRuns);
        foreach (var build in new[] { first, cached })
        {
            var warning = Assert.Single(build.Engine.Warnings);
            Assert.Equal("OPT1090", warning.Code);
            Assert.Equal(_project.Source("Models.cs"), warning.File);
            Assert.Equal((5, 2), (warning.LineNumber, warning.ColumnNumber));
            Assert.StartsWith("Models/digits.onnx: the DynamicInt8 model is slower than fp32", warning.Message);
        }

        Assert.Contains(cached.Engine.Messages, m => m.Message!.Contains("App.Digits is up to date"));
        Assert.Contains(Path.Combine(_project.OutputDirectory, "App.Digits.warnings"), cached.Task.FileWrites.Select(w => w.ItemSpec));
        Assert.Equal(first.Task.FileWrites.Select(w => w.ItemSpec), cached.Task.FileWrites.Select(w => w.ItemSpec));
    }

    [ConditionalFact(Needs.Linux)]
    public void A_run_without_warnings_or_a_failed_run_leaves_none_to_replay()
    {
        Run(WarningHost());
        Assert.True(File.Exists(Path.Combine(_project.OutputDirectory, "App.Digits.warnings")));

        // The model changed and the engine no longer warns: the old warning is not shown again.
        _project.WriteFile("Models/digits.onnx", "model bytes v2");
        Run(SucceedingHost());
        var cached = Run(SucceedingHost());
        Assert.Empty(cached.Engine.Warnings);
        Assert.False(File.Exists(Path.Combine(_project.OutputDirectory, "App.Digits.warnings")));

        // A warning run, then a failed one: the warnings went with the stamp.
        _project.WriteFile("Models/digits.onnx", "model bytes v3");
        Run(WarningHost());
        _project.WriteFile("Models/digits.onnx", "model bytes v4");
        Run(FailingHost("boom"));
        Assert.False(File.Exists(Path.Combine(_project.OutputDirectory, "App.Digits.warnings")));
        Assert.False(File.Exists(Path.Combine(_project.OutputDirectory, "App.Digits.stamp")));
    }
}

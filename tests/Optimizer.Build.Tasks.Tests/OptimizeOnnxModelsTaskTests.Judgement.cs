using System.Diagnostics;
using Microsoft.Build.Utilities;
using Optimizer.Tests.Shared;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>Each model's engine run is judged on its own exit code and output, within its time limit.</summary>
public sealed partial class OptimizeOnnxModelsTaskTests
{
    /// <summary>A dotnet stand-in that runs <paramref name="forDigits"/> for App.Digits's plan and succeeds for every other.</summary>
    private string HostFailingOnlyDigits(string forDigits) => Script("first-fails.sh", $$"""
        #!/bin/sh
        echo "$5" >> "{{_runLog}}"
        case "$5" in
          *App.Digits.plan.json)
        {{forDigits}}
            ;;
        esac
        base="${5%.plan.json}"
        printf 'optimized' > "$base.onnx"
        printf '{}' > "$base.model.json"
        """);

    private string OutputOf(string name, string extension) => Path.Combine(_project.OutputDirectory, name + extension);

    [ConditionalFact(Needs.Linux)]
    public void A_failed_model_leaves_the_next_model_to_its_own_exit_code()
    {
        var source = _project.Source("Models.cs");
        var run = Run(HostFailingOnlyDigits($"""
            echo "{source}(4,2): error OPT1102: Models/digits.onnx: not a protobuf model." 1>&2
            exit 1
            """));

        Assert.False(run.Result);
        Assert.Equal(2, EngineRuns);
        // Only the failed model's own error: no false OPT1021 "exited with code -1" for the next one.
        var error = Assert.Single(run.Engine.Errors);
        Assert.Equal(("OPT1102", source, 4), (error.Code, error.File, error.LineNumber));
        var fp32 = Assert.Single(run.Task.OptimizedModels);
        Assert.Equal("Optimizer.Build.App.DigitsFp32.onnx", fp32.GetMetadata("LogicalName"));
        Assert.True(File.Exists(OutputOf("App.DigitsFp32", ".stamp")));
        Assert.False(File.Exists(OutputOf("App.Digits", ".stamp")));
    }

    [ConditionalFact(Needs.Linux)]
    public void Every_models_own_diagnostics_are_shown()
    {
        var source = _project.Source("Models.cs");
        var run = Run(Script("each-fails.sh", $$"""
            #!/bin/sh
            echo "$5" >> "{{_runLog}}"
            name=$(basename "$5" .plan.json)
            echo "{{source}}(4,2): error OPT1102: $name is broken in its own way." 1>&2
            exit 1
            """));

        Assert.False(run.Result);
        Assert.Equal(
            ["App.Digits is broken in its own way.", "App.DigitsFp32 is broken in its own way."],
            run.Engine.Errors.Select(e => e.Message));
    }

    [ConditionalFact(Needs.Linux)]
    public void An_engine_killed_by_a_signal_is_OPT1080_naming_its_stage()
    {
        var run = Run(HostFailingOnlyDigits("""
            printf 'verifying: running the optimized model in ONNX Runtime' > "$OPTIMIZER_ENGINE_STAGE_FILE"
            kill -FPE $$
            """));

        Assert.False(run.Result);
        var crash = Assert.Single(run.Engine.Errors);
        Assert.Equal(("OPT1080", _project.Source("Models.cs"), 4), (crash.Code, crash.File, crash.LineNumber));
        Assert.Contains("SIGFPE (signal 8) while verifying: running the optimized model in ONNX Runtime", crash.Message);
        Assert.Contains("Models/digits.onnx", crash.Message);
        Assert.Single(run.Task.OptimizedModels);
    }

    [ConditionalFact(Needs.Linux)]
    public void An_engine_past_its_limit_is_killed_with_everything_it_started()
    {
        var orphanMarker = Path.Combine(_project.Directory, "grandchild-survived");
        var clock = Stopwatch.StartNew();
        var run = Run(HostFailingOnlyDigits($"""
            ( sleep 3; touch "{orphanMarker}" ) &
            sleep 60
            """), engineTimeout: "1");
        clock.Stop();

        Assert.False(run.Result);
        var timeout = Assert.Single(run.Engine.Errors);
        Assert.Equal(("OPT1023", 4), (timeout.Code, timeout.LineNumber));
        Assert.Contains("'Models/digits.onnx' within its limit of 1 s", timeout.Message);
        Assert.Contains("<OptimizerEngineTimeout>", timeout.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the task took {clock.Elapsed}");
        Assert.Single(run.Task.OptimizedModels);

        // The background grandchild would have written its marker after 3 s had it survived.
        Thread.Sleep(TimeSpan.FromSeconds(4));
        Assert.False(File.Exists(orphanMarker), "a process the engine started outlived the timeout");
    }

    [ConditionalFact(Needs.Linux)]
    public void An_engine_that_prints_without_end_still_stops_at_its_limit()
    {
        var clock = Stopwatch.StartNew();
        var run = Run(HostFailingOnlyDigits("""
            yes "engine output that never ends"
            """), engineTimeout: "1");
        clock.Stop();

        var timeout = Assert.Single(run.Engine.Errors);
        Assert.Equal("OPT1023", timeout.Code);
        Assert.Contains(run.Engine.Messages, m => m.Message == "engine output that never ends");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the task took {clock.Elapsed}");
    }

    [ConditionalFact(Needs.Linux)]
    public void Cancelling_the_build_stops_the_engine_at_once()
    {
        var task = new OptimizeOnnxModels();
        var run = System.Threading.Tasks.Task.Run(() => Run(Script("sleep.sh", $"""
            #!/bin/sh
            echo "$5" >> "{_runLog}"
            sleep 60
            """), configure: t => task = t));
        SpinWait.SpinUntil(() => EngineRuns > 0, TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        task.Cancel();

        Assert.True(run.Wait(TimeSpan.FromSeconds(20)), "the task went on after it was cancelled");
        Assert.False(run.Result.Result);
        Assert.Empty(run.Result.Engine.Errors);
        Assert.Equal(1, EngineRuns); // the second model's engine is never started
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void A_host_that_cannot_start_is_OPT1020_for_each_model()
    {
        var run = Run("/nonexistent/dotnet");

        Assert.False(run.Result);
        Assert.Equal(["OPT1020", "OPT1020"], run.Engine.Errors.Select(e => e.Code));
        Assert.Contains("could not be started with '/nonexistent/dotnet'", run.Engine.Errors[0].Message);
    }

    [ConditionalFact(Needs.Linux)]
    public void An_items_EngineTimeout_overrides_the_projects()
    {
        _project.WriteFile("Models.cs", "// models come from items\n");
        var sleeper = Script("sleep.sh", $"""
            #!/bin/sh
            echo "$5" >> "{_runLog}"
            sleep 60
            """);
        var item = new TaskItem("Models/digits.onnx");
        item.SetMetadata("EngineTimeout", "1");

        var run = Run(sleeper, items: [item], engineTimeout: "3600");

        var timeout = Assert.Single(run.Engine.Errors);
        Assert.Equal("OPT1023", timeout.Code);
        Assert.Contains("limit of 1 s", timeout.Message);
    }

    [ConditionalTheory(Needs.Linux)]
    [InlineData("0")]
    [InlineData("soon")]
    [InlineData("-1")]
    public void A_time_limit_that_is_not_whole_positive_seconds_is_OPT1003(string value)
    {
        var run = Run(SucceedingHost(), engineTimeout: value);

        Assert.False(run.Result);
        var error = Assert.Single(run.Engine.Errors);
        Assert.Equal(("OPT1003", _project.ProjectFile), (error.Code, error.File));
        Assert.Contains($"OptimizerEngineTimeout is '{value}'", error.Message);
        Assert.Equal(0, EngineRuns);
    }
}

using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// The task end to end with a stand-in for `dotnet` (a shell script), so the caching, design-time
/// and error paths are tested without the real engine. Linux only: the stand-in is a shell script
/// (and FIFOs, /proc and signals behave as tested there).
/// </summary>
public sealed partial class OptimizeOnnxModelsTaskTests : IDisposable
{
    private const string Models = """
        using Optimizer.Runtime;
        namespace App;

        [OnnxModel("Models/digits.onnx")]
        [Quantize(QuantizationMode.DynamicInt8)]
        public partial class Digits;

        [OnnxModel("Models/digits.onnx")]
        public partial class DigitsFp32;
        """;

    private readonly TempProject _project = new();
    private readonly ITestOutputHelper _output;
    private readonly string _runLog;
    private readonly string _engine;

    public OptimizeOnnxModelsTaskTests(ITestOutputHelper output)
    {
        _output = output;
        _runLog = Path.Combine(_project.Directory, "engine-runs.txt");
        _engine = _project.WriteFile("engine/Optimizer.Engine.dll", "not really an engine");
        _project.WriteFile("Models.cs", Models);
    }

    public void Dispose() => _project.Dispose();

    /// <summary>
    /// A fake dotnet: `exec engine.dll optimize --plan X.plan.json` writes X.onnx and X.model.json,
    /// and for a quantized plan first prints <paramref name="quantizedPrints"/> (e.g. a warning), if given.
    /// </summary>
    private string SucceedingHost(string? quantizedPrints = null) => Script(quantizedPrints is null ? "succeed.sh" : "succeed-printing.sh", $$"""
        #!/bin/sh
        echo "$5" >> "{{_runLog}}"
        base="${5%.plan.json}"
        printf 'optimized' > "$base.onnx"
        printf '{}' > "$base.model.json"
        {{(quantizedPrints is null ? "" : $"if grep -q '\"Quantize\"' \"$5\"; then echo \"{quantizedPrints}\"; fi")}}
        echo "digits.onnx: quantize DynamicInt8 → 1 KB → 1 KB (+0%), 0.0 s"
        """);

    private string FailingHost(string line) => Script("fail.sh", $"""
        #!/bin/sh
        echo "$5" >> "{_runLog}"
        echo "{line}" 1>&2
        exit 1
        """);

    private string Script(string name, string text)
    {
        var path = _project.WriteFile(name, text.Replace("\r\n", "\n") + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private (OptimizeOnnxModels Task, FakeBuildEngine Engine, bool Result) Run(
        string host, bool runEngine = true, ITaskItem[]? items = null, string? trainingAssembly = null, string? engineTimeout = null,
        Action<OptimizeOnnxModels>? configure = null)
    {
        var engine = new FakeBuildEngine();
        var task = new OptimizeOnnxModels
        {
            BuildEngine = engine,
            Sources = [new TaskItem(_project.Source("Models.cs"))],
            Models = items ?? [],
            ProjectDirectory = _project.Directory,
            ProjectFile = _project.ProjectFile,
            OutputDirectory = "obj/optimizer/",
            EngineAssembly = _engine,
            DotnetHostPath = host,
            RunEngine = runEngine,
            TrainingAssembly = trainingAssembly,
            EngineTimeout = engineTimeout,
        };
        configure?.Invoke(task);
        var result = task.Execute();
        foreach (var error in engine.Errors)
            _output.WriteLine($"error {error.Code} {error.File}({error.LineNumber},{error.ColumnNumber}): {error.Message}");
        return (task, engine, result);
    }

    private int EngineRuns => File.Exists(_runLog) ? File.ReadAllLines(_runLog).Length : 0;

    [ConditionalFact(Needs.Linux)]
    public void Runs_the_engine_once_per_changed_model_and_then_skips()
    {
        var first = Run(SucceedingHost());
        Assert.True(first.Result);
        Assert.Equal(2, EngineRuns);
        Assert.Equal(
            ["Optimizer.Build.App.Digits.onnx", "Optimizer.Build.App.DigitsFp32.onnx"],
            first.Task.OptimizedModels.Select(m => m.GetMetadata("LogicalName")));
        Assert.All(first.Task.Manifests, m => Assert.EndsWith(".model.json", m.ItemSpec));
        Assert.Equal(8, first.Task.FileWrites.Length);

        // Nothing changed: no engine run, the outputs are still surfaced.
        var second = Run(SucceedingHost());
        Assert.True(second.Result);
        Assert.Equal(2, EngineRuns);
        Assert.Equal(2, second.Task.OptimizedModels.Length);
        Assert.Contains(second.Engine.Messages, m => m.Message!.Contains("up to date"));

        // A source edit that changes no plan: still no run.
        File.WriteAllText(_project.Source("Models.cs"), "// edited\n" + Models);
        Run(SucceedingHost());
        Assert.Equal(2, EngineRuns);

        // A changed model re-runs both plans that use it.
        _project.WriteFile("Models/digits.onnx", "model bytes v2");
        Run(SucceedingHost());
        Assert.Equal(4, EngineRuns);
    }

    [ConditionalFact(Needs.Linux)]
    public void A_new_training_package_reruns_only_the_models_that_train()
    {
        _project.WriteFile("Models.cs", Models + """

            [OnnxModel("Models/digits.onnx")]
            [Prune(Sparsity = 0.8)]
            [FineTune(Data = "Data/x.f32", Labels = "Data/y.u8", Epochs = 2)]
            public partial class DigitsFineTuned;
            """);
        _project.WriteFile("Data/x.f32", "pixels");
        _project.WriteFile("Data/y.u8", "labels");
        var training = _project.WriteFile("training/Optimizer.Training.dll", "training v1");

        Assert.True(Run(SucceedingHost(), trainingAssembly: training).Result);
        Assert.Equal(3, EngineRuns);
        Run(SucceedingHost(), trainingAssembly: training);
        Assert.Equal(3, EngineRuns);

        // Another Optimizer.Training (same path, new bytes): only the fine-tuned model runs again.
        File.WriteAllText(training, "training v2, a different build");
        Run(SucceedingHost(), trainingAssembly: training);
        Assert.Equal(4, EngineRuns);
        Assert.EndsWith("App.DigitsFineTuned.plan.json", File.ReadAllLines(_runLog).Last().Trim());
    }

    [ConditionalFact(Needs.Linux)]
    public void Design_time_builds_never_run_the_engine()
    {
        var designTime = Run(SucceedingHost(), runEngine: false);
        Assert.True(designTime.Result);
        Assert.Equal(0, EngineRuns);
        Assert.Empty(designTime.Task.OptimizedModels);

        Run(SucceedingHost());
        _project.WriteFile("Models/digits.onnx", "model bytes v2");
        var stale = Run(SucceedingHost(), runEngine: false);
        Assert.Equal(2, EngineRuns);
        Assert.Equal(2, stale.Task.OptimizedModels.Length); // the last real build's outputs
    }

    [ConditionalFact(Needs.Linux)]
    public void Engine_errors_become_coded_msbuild_errors_and_are_retried()
    {
        var source = _project.Source("Models.cs");
        var failed = Run(FailingHost($"{source}(4,2): error OPT1102: Models/digits.onnx: not a protobuf model."));

        Assert.False(failed.Result);
        Assert.Equal(2, failed.Engine.Errors.Count);
        Assert.All(failed.Engine.Errors, e => Assert.Equal(("OPT1102", source, 4, 2), (e.Code, e.File, e.LineNumber, e.ColumnNumber)));
        Assert.Empty(failed.Task.OptimizedModels);

        // No stamp was written, so the next build tries again.
        Run(FailingHost($"{source}(4,2): error OPT1102: still broken"));
        Assert.Equal(4, EngineRuns);
    }

    [ConditionalFact(Needs.Linux)]
    public void Engine_that_fails_silently_gets_a_coded_error()
    {
        var failed = Run(FailingHost("something went wrong"));

        Assert.False(failed.Result);
        Assert.Contains(failed.Engine.Errors, e => e.Code == "OPT1021" && e.LineNumber == 4);
    }

    [Fact]
    public void Missing_engine_is_a_coded_error()
    {
        File.Delete(_engine);
        var run = Run("/nonexistent/dotnet");

        Assert.False(run.Result);
        Assert.Equal("OPT1020", Assert.Single(run.Engine.Errors).Code);
    }

    [Fact]
    public void Discovery_errors_are_logged_with_file_and_line()
    {
        File.WriteAllText(_project.Source("Models.cs"), "[Optimizer.Runtime.OnnxModel(\"Models/none.onnx\")] partial class X;");
        var run = Run("/nonexistent/dotnet");

        Assert.False(run.Result);
        var error = Assert.Single(run.Engine.Errors);
        Assert.Equal(("OPT1001", _project.Source("Models.cs"), 1, 2), (error.Code, error.File, error.LineNumber, error.ColumnNumber));
    }
}

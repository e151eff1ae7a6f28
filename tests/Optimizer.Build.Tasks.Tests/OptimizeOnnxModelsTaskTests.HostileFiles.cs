using System.Diagnostics;
using Optimizer.Tests.Shared;

namespace Optimizer.Build.Tasks.Tests;

/// <summary>
/// Declared model and data files are opened as untrusted: anything but a regular file is a coded
/// error (OPT1024) at the declaration, found without hanging and without running the engine.
/// </summary>
public sealed partial class OptimizeOnnxModelsTaskTests
{
    /// <summary>Runs the task on a background thread so a regression fails the test instead of hanging it.</summary>
    private (OptimizeOnnxModels Task, FakeBuildEngine Engine, bool Result) RunWithin(TimeSpan limit, string host)
    {
        var run = System.Threading.Tasks.Task.Run(() => Run(host));
        Assert.True(run.Wait(limit), $"the task did not finish within {limit}");
        return run.Result;
    }

    private string Fifo(string relativePath)
    {
        var path = Path.Combine(_project.Directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        RunTool("mkfifo", path);
        return path;
    }

    private static void RunTool(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    [ConditionalTheory(Needs.Linux)]
    [InlineData("/dev/zero", "device or kernel file")]
    [InlineData("/proc/self/environ", "device or kernel file")]
    [InlineData("Models/pipe.onnx", "named pipe (FIFO)")]
    [InlineData("Models/hardlink.onnx", "2 hard links")]
    [InlineData("Models/folder.onnx", "a folder")]
    public void A_model_that_is_not_a_regular_file_is_OPT1024_at_its_attribute(string declared, string reason)
    {
        if (declared == "Models/pipe.onnx")
            Fifo(declared);
        if (declared == "Models/folder.onnx")
            Directory.CreateDirectory(Path.Combine(_project.Directory, declared));
        using var outside = new TempProject();
        if (declared == "Models/hardlink.onnx")
            RunTool("ln", Path.Combine(outside.Directory, "Models", "digits.onnx"), Path.Combine(_project.Directory, declared));
        _project.WriteFile("Models.cs", $$"""
            using Optimizer.Runtime;

            [OnnxModel("{{declared}}")]
            public partial class Hostile;
            """);

        var run = RunWithin(TimeSpan.FromSeconds(30), SucceedingHost());

        Assert.False(run.Result);
        var error = Assert.Single(run.Engine.Errors);
        Assert.Equal(("OPT1024", _project.Source("Models.cs"), 3, 2), (error.Code, error.File, error.LineNumber, error.ColumnNumber));
        Assert.Contains(declared, error.Message);
        Assert.Contains(reason, error.Message);
        Assert.Equal(0, EngineRuns);
    }

    [ConditionalFact(Needs.Linux)]
    public void A_calibration_file_that_is_a_fifo_is_OPT1024_at_the_pass()
    {
        Fifo("Data/calibration.npz");
        _project.WriteFile("Models.cs", """
            using Optimizer.Runtime;

            [OnnxModel("Models/digits.onnx")]
            [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/calibration.npz")]
            public partial class Digits;
            """);

        var run = RunWithin(TimeSpan.FromSeconds(30), SucceedingHost());

        var error = Assert.Single(run.Engine.Errors);
        Assert.Equal(("OPT1024", 4), (error.Code, error.LineNumber));
        Assert.Contains("Quantize.Calibration names 'Data/calibration.npz'", error.Message);
        Assert.Contains("named pipe (FIFO)", error.Message);
        Assert.Equal(0, EngineRuns);
    }

    [ConditionalFact(Needs.Linux)]
    public void A_regular_model_outside_the_project_folder_is_optimized()
    {
        using var shared = new TempProject();
        var model = Path.Combine(shared.Directory, "Models", "digits.onnx");
        _project.WriteFile("Models.cs", $$"""
            using Optimizer.Runtime;

            [OnnxModel("{{model}}")]
            public partial class Shared;
            """);

        var run = Run(SucceedingHost());

        Assert.True(run.Result);
        Assert.Empty(run.Engine.Errors);
        Assert.Equal(1, EngineRuns);
    }

    [ConditionalFact(Needs.Linux)]
    public void A_model_replaced_by_a_fifo_since_the_last_build_is_OPT1024_not_a_hang()
    {
        Assert.True(Run(SucceedingHost()).Result);
        var model = Path.Combine(_project.Directory, "Models", "digits.onnx");
        File.Delete(model);
        Fifo("Models/digits.onnx");

        var run = RunWithin(TimeSpan.FromSeconds(30), SucceedingHost());

        Assert.False(run.Result);
        Assert.All(run.Engine.Errors, e => Assert.Equal("OPT1024", e.Code));
        Assert.Equal(2, run.Engine.Errors.Count);
    }
}

using Optimizer.Engine.Tests.HostileInput;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Tool.Tests;

/// <summary>
/// <c>onnx-opt</c> as a real process on a model that makes ONNX Runtime raise SIGFPE: the command runs
/// in a worker process, and the tool reports the crash as OPT1080 with the stage, instead of dying.
/// </summary>
public sealed class WorkerCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly ToolRun _run = new();

    public void Dispose() => _run.Dispose();

    [ConditionalFact(Needs.Linux)]
    public void A_model_that_crashes_onnx_runtime_is_reported_as_OPT1080_with_the_stage_and_nothing_written()
    {
        var model = _run.PathOf("div_overflow.onnx");
        TinyModels.DivisionOverflow(model);
        var written = _run.PathOf(Path.Combine("out", "div_overflow.optimized.onnx"));

        var result = RunTool("optimize", model, "-o", written);

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("OPT1080", StringComparison.Ordinal));
        Assert.Contains("error OPT1080", line);
        Assert.Contains("SIGFPE (signal 8)", line);
        Assert.Contains("SIGFPE (signal 8) while verifying: running the optimized model in ONNX Runtime", line);
        Assert.DoesNotContain("OPT1099", result.Stderr);
        Assert.False(Directory.Exists(Path.GetDirectoryName(written)) && Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(written)!).Any(),
            "nothing may be written to the output folder: " + string.Join(", ", Directory.Exists(Path.GetDirectoryName(written)) ? Directory.GetFiles(Path.GetDirectoryName(written)!) : []));
        Assert.Empty(Directory.GetFiles(_run.Directory, "core*", SearchOption.AllDirectories));
    }

    [ConditionalFact(Needs.Linux)]
    public void With_json_the_crash_is_an_error_object_on_stdout()
    {
        var model = _run.PathOf("div_overflow.onnx");
        TinyModels.DivisionOverflow(model);

        var result = RunTool("verify", model, model, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var error = result.Json().GetProperty("error");
        Assert.Equal("OPT1080", error.GetProperty("code").GetString());
        Assert.Contains("SIGFPE", error.GetProperty("message").GetString());
        Assert.Contains("verifying: running the original model in ONNX Runtime", error.GetProperty("message").GetString());
        Assert.Contains("error OPT1080", result.Stderr);
        Assert.Empty(Directory.GetFiles(_run.Directory, "core*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_worker_that_exits_normally_passes_its_exit_code_and_output_through()
    {
        var model = _run.PathOf("opset_9999.onnx");
        TinyModels.Gemm(model, opset: 9999);

        var result = RunTool("optimize", model, "-o", _run.PathOf("out.onnx"), "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.DoesNotContain("OPT1080", result.Stderr);
        Assert.StartsWith("OPT", result.Json().GetProperty("error").GetProperty("code").GetString());
    }

    private ToolRun.Result RunTool(params string[] args)
    {
        var result = _run.Process(args);
        output.WriteLine($"onnx-opt {string.Join(" ", args)}\n{result}");
        return result;
    }
}

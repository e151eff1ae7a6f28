using System.Diagnostics;
using Optimizer.Engine.Supervision;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests.HostileInput;

/// <summary>
/// The engine's side of the crash contract, as the MSBuild task sees it: the engine process (a real
/// one) dies by SIGFPE inside ONNX Runtime, its exit code is 128 + 8, the stage file names what it
/// was doing, <see cref="EngineCrash.Describe"/> turns both into the OPT1080 message, and no core file
/// or output is left.
/// </summary>
public sealed class EngineCrashStageTests(ITestOutputHelper output) : IDisposable
{
    private readonly EngineRun _run = new();

    public void Dispose() => _run.Dispose();

    [ConditionalFact(Needs.Linux)]
    public void A_sigfpe_in_onnx_runtime_leaves_the_stage_for_the_supervisor_and_no_core_file()
    {
        var model = TinyModels.DivisionOverflow(Path.Combine(_run.Directory, "div_overflow.onnx"));
        var plan = _run.WritePlan(model, "Div", _run.OutputDirectory());
        var stageFile = Path.Combine(_run.Directory, "stage.txt");

        // Through sh with core files allowed (the soft limit is often 0), so a core the engine failed to suppress would show.
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = _run.Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", "ulimit -c unlimited 2>/dev/null || ulimit -c \"$(ulimit -Hc)\"; exec dotnet \"$@\"", "sh", Path.Combine(AppContext.BaseDirectory, "Optimizer.Engine.dll") })
            start.ArgumentList.Add(arg);
        foreach (var arg in new[] { "optimize", "--plan", plan })
            start.ArgumentList.Add(arg);
        start.Environment[EngineCrash.StageFileVariable] = stageFile;
        using var engine = Process.Start(start)!;
        var stdout = engine.StandardOutput.ReadToEndAsync();
        var stderr = engine.StandardError.ReadToEndAsync();
        Assert.True(engine.WaitForExit(TimeSpan.FromMinutes(2)), "the engine did not finish in 2 minutes");
        output.WriteLine($"exit {engine.ExitCode}\n{stdout.Result}{stderr.Result}");

        Assert.Equal(128 + 8, engine.ExitCode);
        var stage = EngineCrash.ReadStage(stageFile);
        // The division runs when ONNX Runtime first executes the node: verification's run of the model.
        Assert.StartsWith("verifying: running the optimized model in ONNX Runtime", stage);
        var message = EngineCrash.Describe(engine.ExitCode, stage);
        Assert.NotNull(message);
        Assert.Contains("SIGFPE (signal 8) while verifying: running the optimized model in ONNX Runtime", message);
        Assert.Empty(Directory.GetFiles(_run.Directory, "core*", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(_run.OutputDirectory()) && Directory.EnumerateFiles(_run.OutputDirectory()).Any());
    }
}

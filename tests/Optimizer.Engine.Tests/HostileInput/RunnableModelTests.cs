using Optimizer.Tests.Shared;
using System.Text.Json;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Verification;
using Optimizer.Onnx;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests.HostileInput;

/// <summary>Nothing ONNX Runtime cannot load is optimized or shipped: real sessions on real models.</summary>
public sealed class RunnableModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly EngineRun _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public void An_input_model_onnx_runtime_rejects_is_OPT1069_not_a_warning_and_nothing_is_written()
    {
        var model = TinyModels.Gemm(Path.Combine(_run.Directory, "opset9999.onnx"), opset: 9999);
        var plan = _run.WritePlan(model, "Tiny", _run.OutputDirectory(), ("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" }));

        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(stdout + stderr);

        Assert.Equal(1, exitCode);
        Assert.Contains("error OPT1069: ", stderr);
        Assert.Contains("is not runnable by ONNX Runtime", stderr);
        Assert.Contains("9999", stderr);
        Assert.DoesNotContain("OPT1062", stdout + stderr);
        Assert.False(Directory.Exists(_run.OutputDirectory()) && Directory.EnumerateFiles(_run.OutputDirectory()).Any());
    }

    public static TheoryData<string> UnrunnableKinds => new(UnrunnableModels.Kinds);

    [Theory]
    [MemberData(nameof(UnrunnableKinds))]
    public void A_model_onnx_runtime_cannot_load_fails_with_a_coded_error_and_writes_nothing(string kind)
    {
        var model = Path.Combine(_run.Directory, "unrunnable.onnx");
        UnrunnableModels.Write(kind, model);

        // A pass, so verification runs: before, such models were "optimized" with exit 0 and warning OPT1062.
        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan",
            _run.WritePlan(model, "Unrunnable", _run.OutputDirectory(), ("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" })));
        output.WriteLine($"{kind}: exit {exitCode}\n{stdout}{stderr}");

        Assert.Equal(1, exitCode);
        Assert.Matches(@"error OPT1\d\d\d: ", stderr);
        Assert.DoesNotContain("OPT1099", stderr);
        Assert.DoesNotContain("OPT1062", stdout + stderr);
        Assert.False(Directory.Exists(_run.OutputDirectory()) && Directory.EnumerateFiles(_run.OutputDirectory()).Any());
    }

    [Fact]
    public void An_optimized_model_onnx_runtime_rejects_is_OPT1068_with_onnx_runtimes_message()
    {
        var model = OnnxModelLoader.Load(TinyModels.Gemm(Path.Combine(_run.Directory, "tiny.onnx")));
        // What a faulty pass could produce: a node whose operator no domain defines.
        model.Graph.Nodes[0].OpType = "GemmThatDoesNotExist";

        var error = Assert.Throws<EngineException>(() => OnnxRuntimeLoadCheck.Optimized(OnnxModelWriter.ToBytes(model), null));

        Assert.Equal(EngineErrorCodes.OptimizedModelNotRunnable, error.Code);
        Assert.StartsWith("ONNX Runtime cannot load the optimized model: ", error.Message);
        Assert.Contains("GemmThatDoesNotExist", error.Message);
        Assert.Contains("the generated class would fail at run time", error.Message);
    }

    [Fact]
    public void A_model_outside_the_project_is_named_by_its_full_path_in_the_summary()
    {
        var elsewhere = Path.Combine(Path.GetTempPath(), "optimizer-shared-models-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(elsewhere);
        try
        {
            var outside = TinyModels.Gemm(Path.Combine(elsewhere, "shared.onnx"));
            var inside = TinyModels.Gemm(Path.Combine(_run.Directory, "inside.onnx"));

            var fromOutside = EngineRun.Run("optimize", "--plan", _run.WritePlan(outside, "Outside", _run.OutputDirectory("a")));
            var fromInside = EngineRun.Run("optimize", "--plan", _run.WritePlan(inside, "Inside", _run.OutputDirectory("b")));
            output.WriteLine(fromOutside.Stdout + fromOutside.Stderr + fromInside.Stdout + fromInside.Stderr);

            Assert.Equal(0, fromOutside.ExitCode);
            Assert.StartsWith("shared.onnx: no passes → ", fromOutside.Stdout);
            Assert.Contains($"(outside the project folder: model '{outside}')", fromOutside.Stdout);
            Assert.Equal(0, fromInside.ExitCode);
            Assert.DoesNotContain("outside the project", fromInside.Stdout);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [ConditionalFact("data/models")]
    public void Every_real_model_passes_the_load_check_and_is_remembered_by_its_bytes()
    {
        var files = Directory.GetFiles(RepositoryPaths.SharedModels!, "*.onnx").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            OnnxRuntimeLoadCheck.Input(file, bytes, Path.GetFileName(file), null);
            Assert.True(OnnxRuntimeLoadCheck.IsKnownLoadable(bytes), $"{Path.GetFileName(file)}: the check of these bytes is remembered");
        }
    }
}

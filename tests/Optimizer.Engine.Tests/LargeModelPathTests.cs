using System.Text.Json;
using Optimizer.Engine.Commands;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;

namespace Optimizer.Engine.Tests;

/// <summary>
/// The engine's path for models past 2 GiB, on a stand-in of a few hundred KB: the plan's in-memory limit is
/// lowered so the weights stay in their data file, which is what sends a 3 GiB model down this path. It must
/// write the model the in-memory path writes (weights beside it), verified from the files in ONNX Runtime.
/// build/make-large-models.py writes the real sizes (see README, "Large models").
/// </summary>
public sealed class LargeModelPathTests : IDisposable
{
    private static readonly ModelLoadLimits KeepInFile = new() { InMemoryTensorBytes = 4096, InMemoryModelBytes = 0 };
    private readonly EngineRun _run = new();

    public void Dispose() => _run.Dispose();

    [Theory]
    [InlineData("DynamicInt8")]
    [InlineData("Int4")]
    public void Weights_left_in_their_file_give_the_in_memory_model_written_with_external_data(string mode)
    {
        var model = WriteChain();
        var pass = ("Quantize", new Dictionary<string, string> { ["Mode"] = mode });
        var inMemoryOutput = _run.OutputDirectory("memory");
        var largeOutput = _run.OutputDirectory("large");
        OptimizeCommand.Optimize(PlanReader.Read(_run.WritePlan(model, "Chain", inMemoryOutput, pass)));

        var outcome = OptimizeCommand.Optimize(PlanReader.Read(_run.WritePlan(model, "Chain", largeOutput, pass)) with { LoadLimits = KeepInFile });

        Assert.Equal(["Chain.model.json", "Chain.onnx", "Chain.onnx.data"], Directory.GetFiles(largeOutput).Select(Path.GetFileName).Order());
        var written = OnnxModelLoader.Load(Path.Combine(largeOutput, "Chain.onnx"));
        Assert.True(written.LoadedWithExternalData);
        Assert.Equal(File.ReadAllBytes(Path.Combine(inMemoryOutput, "Chain.onnx")), OnnxModelWriter.ToBytes(written));
        Assert.Contains("cos 0.9", outcome.Fidelity);
        Assert.Contains(LargeModelOptimize.SkippedWarning, outcome.Warnings);
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(largeOutput, "Chain.model.json")));
        Assert.Equal(["OnnxRuntime"], manifest.RootElement.GetProperty("execution").GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(new FileInfo(Path.Combine(largeOutput, "Chain.onnx")).Length + new FileInfo(Path.Combine(largeOutput, "Chain.onnx.data")).Length,
            manifest.RootElement.GetProperty("sizeAfter").GetInt64());
    }

    [Fact]
    public void Steps_that_need_the_model_in_memory_many_times_are_OPT1087()
    {
        var plan = PlanReader.Read(_run.WritePlan(WriteChain(), "Chain", _run.OutputDirectory(),
            ("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8", ["RequireSpeedup"] = "true" }))) with { LoadLimits = KeepInFile };

        var error = Assert.Throws<EngineException>(() => OptimizeCommand.Optimize(plan));

        Assert.Equal(EngineErrorCodes.LargeModelUnsupported, error.Code);
        Assert.Contains("RequireSpeedup", error.Message);
    }

    [Fact]
    public void Load_limits_come_from_the_plan_file_and_the_command_line()
    {
        var json = JsonDocument.Parse("""{"loadLimits": {"trustModel": true, "maxModelBytes": 1000}}""").RootElement;
        var fromPlan = PlanLoadLimits.FromJson(json, new DiagnosticLocation("plan.json"))!;
        var fromArgs = PlanLoadLimits.FromArguments(["--max-external-data-bytes", "5000"])!;

        Assert.Equal(1000, fromPlan.MaxModelBytes);
        Assert.Equal(ModelLoadLimits.Trusted.MaxExternalDataBytes, fromPlan.MaxExternalDataBytes);
        Assert.Equal(5000, fromArgs.MaxExternalDataBytes);
        Assert.Equal(ModelLoadLimits.Default.MaxModelBytes, fromArgs.MaxModelBytes);
        Assert.Null(PlanLoadLimits.FromArguments(["--pass", "Quantize"]));
        Assert.Equal(EngineErrorCodes.Usage, Assert.Throws<EngineException>(() => PlanLoadLimits.FromArguments(["--max-model-bytes", "-1"])).Code);
    }

    /// <summary>x [batch, 64] → three MatMuls by [64, 64] weights (16 KB each, in model.onnx.data).</summary>
    private string WriteChain()
    {
        var random = new Random(18);
        var graph = new OnnxGraph("chain");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(64)])));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(64)])));
        var input = "x";
        for (var i = 0; i < 3; i++)
        {
            var weights = Enumerable.Range(0, 64 * 64).Select(_ => (float)((random.NextDouble() * 2 - 1) / 8)).ToArray();
            graph.Initializers.Add(OnnxTensor.FromFloats($"W{i}", [64, 64], weights));
            var output = i == 2 ? "y" : $"h{i}";
            graph.Nodes.Add(new OnnxNode("MatMul", [input, $"W{i}"], [output], $"matmul{i}"));
            input = output;
        }

        var path = Path.Combine(_run.Directory, "model.onnx");
        OnnxModelWriter.Save(new OnnxModel(graph, [new OpsetImport("", 17)]), path, new ExternalDataOptions { Mode = ExternalDataMode.Always });
        return path;
    }
}

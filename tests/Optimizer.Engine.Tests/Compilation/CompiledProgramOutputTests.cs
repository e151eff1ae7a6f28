using System.Text.Json;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests.Compilation;

/// <summary>The engine writes the compiled kernel program beside a covered model, lists it in the manifest, and never leaves a stale one.</summary>
public sealed class CompiledProgramOutputTests(ITestOutputHelper output) : IDisposable
{
    private readonly EngineRun _run = new();

    public void Dispose() => _run.Dispose();

    [ConditionalFact("data")]
    public void A_covered_model_gets_a_kernels_file_and_the_manifest_lists_the_compiled_path()
    {
        var models = RepositoryPaths.SharedModels;

        var outputDirectory = _run.OutputDirectory();
        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", _run.WritePlan(Path.Combine(models, "digits_cnn.onnx"), "Cnn", outputDirectory));
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exitCode);

        var kernels = Path.Combine(outputDirectory, "Cnn.kernels");
        Assert.True(File.Exists(kernels));
        using (var program = KernelProgram.Read(File.ReadAllBytes(kernels), File.ReadAllBytes(Path.Combine(outputDirectory, "Cnn.onnx"))))
        {
            Assert.Equal(["input"], program.Inputs.Select(i => i.Name));
        }

        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outputDirectory, "Cnn.model.json")));
        var execution = manifest.RootElement.GetProperty("execution");
        Assert.Equal(["OnnxRuntime", "Compiled"], execution.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
        var compiled = execution.GetProperty("compiled");
        Assert.Equal("Optimizer.Build.Cnn.kernels", compiled.GetProperty("resourceName").GetString());
        Assert.Equal(new FileInfo(kernels).Length, compiled.GetProperty("size").GetInt64());
        Assert.Contains("Conv", compiled.GetProperty("kernels").EnumerateArray().Select(k => k.GetString()));
        Assert.Empty(execution.GetProperty("notCompiled").EnumerateArray());
    }

    [ConditionalFact("data")]
    public void An_uncovered_model_says_why_and_a_stale_kernels_file_is_removed()
    {
        // Det is outside the kernel set (every real model in shared/data compiles since issue 14).
        var outputDirectory = _run.OutputDirectory();
        Directory.CreateDirectory(outputDirectory);
        var modelPath = Path.Combine(outputDirectory, "..", "determinant.onnx");
        var graph = new Optimizer.Onnx.OnnxGraph("determinant");
        graph.DeclaredInputs.Add(new Optimizer.Onnx.ValueInfo("x", Optimizer.Onnx.ValueTypeInfo.Tensor(Optimizer.Onnx.TensorElementType.Float, [Optimizer.Onnx.Dim.Fixed(3), Optimizer.Onnx.Dim.Fixed(3)])));
        graph.Outputs.Add(new Optimizer.Onnx.ValueInfo("y", Optimizer.Onnx.ValueTypeInfo.Tensor(Optimizer.Onnx.TensorElementType.Float, [])));
        graph.Nodes.Add(new Optimizer.Onnx.OnnxNode("Det", ["x"], ["y"], "det"));
        File.WriteAllBytes(modelPath, Optimizer.Onnx.OnnxModelWriter.ToBytes(new Optimizer.Onnx.OnnxModel(graph, [new Optimizer.Onnx.OpsetImport("", 13)]) { IrVersion = 8 }));
        File.WriteAllBytes(Path.Combine(outputDirectory, "Vad.kernels"), [1, 2, 3]); // from an earlier build of another model
        var plan = _run.WritePlan(modelPath, "Vad", outputDirectory);
        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exitCode);

        Assert.False(File.Exists(Path.Combine(outputDirectory, "Vad.kernels")));
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outputDirectory, "Vad.model.json")));
        var execution = manifest.RootElement.GetProperty("execution");
        output.WriteLine(execution.ToString());
        Assert.Equal(["OnnxRuntime"], execution.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(JsonValueKind.Null, execution.GetProperty("compiled").ValueKind);
        Assert.Contains(execution.GetProperty("notCompiled").EnumerateArray(), r => r.GetString()!.Contains("(Det)"));
        Assert.Equal(["Det"], execution.GetProperty("notCompiledOperators").EnumerateArray().Select(o => o.GetString()));
    }
}

using System.Text.Json;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests.Compilation;

/// <summary>
/// A quantized plan gets two compiled variants: the quantized program (preferred where the CPU has
/// INT8 dot products) and the same plan without Quantize as the fp32 fallback; a float plan gets one
/// program and no stale fp32 variant is left behind.
/// </summary>
public sealed class CompiledVariantsTests(ITestOutputHelper output) : IDisposable
{
    private readonly EngineRun _run = new();

    public void Dispose() => _run.Dispose();

    [ConditionalFact("data")]
    public void A_quantized_plan_writes_an_int8_and_an_fp32_variant_and_a_float_plan_removes_it()
    {
        var models = RepositoryPaths.SharedModels;

        var outputDirectory = _run.OutputDirectory();
        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan",
            _run.WritePlan(Path.Combine(models, "digits_mlp.onnx"), "Mlp", outputDirectory, ("Quantize", new() { ["Mode"] = "DynamicInt8" })));
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exitCode);

        using (var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outputDirectory, "Mlp.model.json"))))
        {
            var variants = manifest.RootElement.GetProperty("execution").GetProperty("variants").EnumerateArray().ToList();
            Assert.Equal(["int8", "fp32"], variants.Select(v => v.GetProperty("name").GetString()));
            Assert.Equal("int8-dot-product", variants[0].GetProperty("requires").GetString());
            Assert.Equal(JsonValueKind.Null, variants[1].GetProperty("requires").ValueKind);
            Assert.Equal("Optimizer.Build.Mlp.kernels", variants[0].GetProperty("resourceName").GetString());
            Assert.Equal("Optimizer.Build.Mlp.fp32.kernels", variants[1].GetProperty("resourceName").GetString());
            Assert.Contains("MatMulInteger", variants[0].GetProperty("kernels").EnumerateArray().Select(k => k.GetString()));
            Assert.Equal(["Gemm"], variants[1].GetProperty("kernels").EnumerateArray().Select(k => k.GetString()));
            Assert.Equal(new FileInfo(Path.Combine(outputDirectory, "Mlp.fp32.kernels")).Length, variants[1].GetProperty("size").GetInt64());
            Assert.Equal(variants[1].GetProperty("steps").GetInt32(), variants[1].GetProperty("schedule").GetArrayLength());
        }

        using (var fp32 = KernelProgram.Read(File.ReadAllBytes(Path.Combine(outputDirectory, "Mlp.fp32.kernels")), File.ReadAllBytes(Path.Combine(outputDirectory, "Mlp.onnx"))))
        {
            Assert.All(fp32.Steps, s => Assert.Equal(StepKind.Gemm, s.Kind));
        }

        // The same output folder rebuilt without Quantize: one program, the fp32 variant file gone.
        (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", _run.WritePlan(Path.Combine(models, "digits_mlp.onnx"), "Mlp", outputDirectory));
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exitCode);
        Assert.False(File.Exists(Path.Combine(outputDirectory, "Mlp.fp32.kernels")));
        Assert.True(File.Exists(Path.Combine(outputDirectory, "Mlp.kernels")));
        using var rebuilt = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outputDirectory, "Mlp.model.json")));
        Assert.False(rebuilt.RootElement.GetProperty("execution").TryGetProperty("variants", out _));
    }
}

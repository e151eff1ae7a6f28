using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests;

/// <summary>
/// <c>optimize --model … --pass …</c>: every pass the attributes declare, by hand, with the same
/// option strings; data paths relative to the current folder.
/// </summary>
public sealed class CommandLinePlanTests(ITestOutputHelper output)
{
    [ConditionalFact("data")]
    public void Prune_then_static_int8_from_the_command_line_writes_a_quantized_model_and_caches_calibration()
    {
        var models = RepositoryPaths.SharedModels;
        using var run = new EngineRun();
        var calibration = Path.Combine(run.Directory, "calib.f32");
        File.Copy(Path.Combine(models, "..", "digits", "digits_train_x_1347x64.f32"), calibration);
        var target = Path.Combine(run.OutputDirectory(), "cnn_int8.onnx");

        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--model", Path.Combine(models, "digits_cnn.onnx"), "--output", target,
            "--pass", "Prune:Sparsity=0.5,Scope=Global", "--pass", $"Quantize:Mode=StaticInt8,Calibration={calibration}");
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, exitCode);
        Assert.Contains("prune 50% + quantize StaticInt8", stdout);
        var optimized = OnnxModelLoader.Load(target);
        Assert.Contains(optimized.Graph.Nodes, n => n.OpType == "QuantizeLinear");
        Assert.True(File.Exists(Path.Combine(run.OutputDirectory(), "cnn_int8.model.json")));
        Assert.Single(Directory.GetFiles(Path.Combine(run.OutputDirectory(), "calibration"), "*.calibration"));
    }

    [ConditionalFact("data")]
    public void Calibrated_quantization_is_byte_identical_across_runs()
    {
        var models = RepositoryPaths.SharedModels;
        using var run = new EngineRun();
        var calibration = Path.Combine(run.Directory, "calib.f32");
        File.Copy(Path.Combine(models, "..", "digits", "digits_train_x_1347x64.f32"), calibration);

        // Two independent runs (separate output folders, so neither reuses the other's calibration cache).
        var outputs = new[] { "first", "second" }.Select(folder =>
        {
            var target = Path.Combine(run.OutputDirectory(folder), "cnn.onnx");
            var (exitCode, _, stderr) = EngineRun.Run("optimize", "--model", Path.Combine(models, "digits_cnn.onnx"), "--output", target,
                "--pass", "Prune:Sparsity=0.5", "--pass", $"Quantize:Mode=StaticInt8,Calibration={calibration}");
            Assert.True(exitCode == 0, stderr);
            return (Model: File.ReadAllBytes(target), Manifest: File.ReadAllBytes(Path.ChangeExtension(target, ".model.json")));
        }).ToArray();

        Assert.Equal(outputs[0].Model, outputs[1].Model);
        // Everything but the Auto and variant decisions, which are timings of this machine by design: they may
        // flip between builds when the two paths sit near their margin (AutoPathTiming, VariantTiming; tested there).
        Assert.Equal(WithoutAutoDecision(outputs[0].Manifest), WithoutAutoDecision(outputs[1].Manifest));
    }

    private static string WithoutAutoDecision(byte[] manifest)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(manifest)!;
        (json["execution"] as System.Text.Json.Nodes.JsonObject)?.Remove("auto");
        (json["execution"] as System.Text.Json.Nodes.JsonObject)?.Remove("variantChoice");
        return json.ToJsonString();
    }

    [ConditionalTheory("data")]
    [InlineData("Quantize:Mode", "OPT1050")]          // not Option=value
    [InlineData("Quantize:Mode=Int3", "OPT1203")]     // a value the pass refuses
    [InlineData("Sharpen", "OPT1200")]                // no such pass
    public void Bad_pass_arguments_are_coded_errors(string pass, string code)
    {
        var models = RepositoryPaths.SharedModels;
        using var run = new EngineRun();
        var (exitCode, _, stderr) = EngineRun.Run("optimize", "--model", Path.Combine(models, "digits_mlp.onnx"),
            "--output", Path.Combine(run.OutputDirectory(), "mlp.onnx"), "--pass", pass);
        output.WriteLine(stderr);
        Assert.Equal(1, exitCode);
        Assert.Contains($"error {code}:", stderr);
        Assert.False(File.Exists(Path.Combine(run.OutputDirectory(), "mlp.onnx")));
    }
}

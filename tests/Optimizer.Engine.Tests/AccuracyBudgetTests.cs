using Optimizer.Onnx;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests;

/// <summary>
/// [AccuracyBudget] on the digits models with the 450 held-out test digits (raw float32 [450,64] read as
/// samples of the model input [1,8,8]) and their labels (raw uint8): a budget that holds, one that cannot
/// hold (coded error, nothing written), and one that holds only after quantized layers are reverted to fp32.
/// </summary>
public sealed class AccuracyBudgetTests(ITestOutputHelper output)
{
    private const string Validation = "val.f32";
    private const string Labels = "val.u8";
    private const string Calibration = "calib.f32";

    private (EngineRun Run, string Models)? Setup()
    {
        if (RepositoryPaths.SharedModels is not { } models)
        {
            output.WriteLine("SKIPPED: ../shared/data is absent.");
            return null;
        }

        var run = new EngineRun();
        var digits = Path.Combine(models, "..", "digits");
        File.Copy(Path.Combine(digits, "digits_test_x_450x64.f32"), Path.Combine(run.Directory, Validation));
        File.Copy(Path.Combine(digits, "digits_test_y_450.u8"), Path.Combine(run.Directory, Labels));
        File.Copy(Path.Combine(digits, "digits_train_x_1347x64.f32"), Path.Combine(run.Directory, Calibration));
        return (run, models);
    }

    private static Dictionary<string, string> Budget(string maxDrop) => new()
    {
        ["MaxDrop"] = maxDrop,
        ["Validation"] = Validation,
        ["Labels"] = Labels,
    };

    [Fact]
    public void A_budget_that_holds_passes_and_prints_the_figures()
    {
        if (Setup() is not { } setup) return;
        var (run, models) = setup;
        using var _ = run;
        var outputDirectory = run.OutputDirectory();
        var plan = run.WritePlan(Path.Combine(models, "digits_cnn.onnx"), "Digits", outputDirectory,
            ("Quantize", new() { ["Mode"] = "StaticInt8", ["Calibration"] = Calibration }),
            ("AccuracyBudget", Budget("0.01")));

        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("OPT1057", stdout);
        Assert.DoesNotContain("OPT1061", stdout);
        Assert.Contains("digits_cnn.onnx: quantize StaticInt8 → ", stdout);
        Assert.Contains("top-1 99.3% → 99.3% (budget 1.0%)", stdout);
        Assert.Contains("logits SQNR ", stdout);
        Assert.Contains("on 450 validation samples", stdout);
        Assert.True(File.Exists(Path.Combine(outputDirectory, "Digits.onnx")));
    }

    [Fact]
    public void An_impossible_budget_fails_with_a_coded_error_and_leaves_no_outputs()
    {
        if (Setup() is not { } setup) return;
        var (run, models) = setup;
        using var _ = run;
        var outputDirectory = run.OutputDirectory();
        var plan = run.WritePlan(Path.Combine(models, "digits_cnn.onnx"), "Digits", outputDirectory,
            ("Prune", new() { ["Sparsity"] = "0.8" }),
            ("AccuracyBudget", Budget("0.001")));

        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(stdout + stderr);

        Assert.Equal(1, exitCode);
        Assert.Contains("Program.cs(12,2): error OPT1060: Models/digits_cnn.onnx: ", stderr);
        Assert.Contains("exceeds [AccuracyBudget] MaxDrop 0.1%", stderr);
        Assert.Contains("top-1 99.3% → ", stderr);
        Assert.Contains("Tried: nothing to revert", stderr);
        Assert.Contains("Prune Sparsity 0.8 is never lowered", stderr);
        Assert.False(File.Exists(Path.Combine(outputDirectory, "Digits.onnx")));
        Assert.False(File.Exists(Path.Combine(outputDirectory, "Digits.model.json")));
    }

    [Fact]
    public void A_budget_the_fully_quantized_model_misses_holds_after_reverting_the_costliest_layer()
    {
        if (Setup() is not { } setup) return;
        var (run, models) = setup;
        using var _ = run;
        var outputDirectory = run.OutputDirectory();
        // MinMax ranges with signed 8-bit activations and full-range weights cost 3 of 450 test digits (0.67%).
        var quantize = new Dictionary<string, string>
        {
            ["Mode"] = "StaticInt8", ["Calibration"] = Calibration, ["CalibrationMethod"] = "MinMax",
            ["ActivationType"] = "Int8", ["ReduceRange"] = "false",
        };
        var plan = run.WritePlan(Path.Combine(models, "digits_cnn.onnx"), "Digits", outputDirectory,
            ("Quantize", quantize), ("AccuracyBudget", Budget("0.005")));

        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, exitCode);
        Assert.Contains("Program.cs(14,2): warning OPT1061: Models/digits_cnn.onnx: the accuracy drop of the fully quantized model, 0.667% (top-1 drop), exceeds [AccuracyBudget] MaxDrop 0.5%; kept 1 of 3 quantized layers in float32 to hold it (/conv1/Conv)", stdout);
        Assert.Contains("top-1 99.3% → 99.3% (budget 0.5%)", stdout);
        Assert.Contains("1 quantized layer kept in fp32 (/conv1/Conv)", stdout);

        var optimized = OnnxModelLoader.Load(Path.Combine(outputDirectory, "Digits.onnx"));
        // The reverted layer reads its float weight directly; the others read int8 weights through DequantizeLinear.
        string? WeightFeed(string node) => optimized.Graph.FindProducer(optimized.Graph.Nodes.Single(n => n.Name == node).Inputs[1])?.OpType;
        Assert.NotEqual("DequantizeLinear", WeightFeed("/conv1/Conv"));
        Assert.Equal("DequantizeLinear", WeightFeed("/conv2/Conv"));
        Assert.Equal("DequantizeLinear", WeightFeed("/fc/Gemm"));
    }

    [Fact]
    public void Without_validation_data_the_figures_come_from_calibration_or_generated_inputs()
    {
        if (Setup() is not { } setup) return;
        var (run, models) = setup;
        using var _ = run;
        var onCalibration = run.WritePlan(Path.Combine(models, "digits_cnn.onnx"), "Calibrated", run.OutputDirectory("a"),
            ("Quantize", new() { ["Mode"] = "StaticInt8", ["Calibration"] = Calibration }),
            ("AccuracyBudget", new() { ["MaxDrop"] = "0.02" }));
        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", onCalibration);
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exitCode);
        Assert.Matches(@"agreement \d+\.\d% \(budget 2\.0%\), logits SQNR [\d.]+ dB cos [\d.]+ max\|Δ\| [\d.]+ on 1347 calibration samples", stdout);

        var generated = run.WritePlan(Path.Combine(models, "digits_mlp.onnx"), "Generated", run.OutputDirectory("b"),
            ("Quantize", new() { ["Mode"] = "DynamicInt8" }));
        (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", generated);
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exitCode);
        Assert.Contains("on 32 generated samples (uniform [0, 1), seed ", stdout);
        Assert.Contains("agreement ", stdout);
    }

    [Fact]
    public void Verification_figures_are_deterministic()
    {
        if (Setup() is not { } setup) return;
        var (run, models) = setup;
        using var _ = run;
        var lines = new[] { "x", "y" }.Select(folder =>
        {
            var plan = run.WritePlan(Path.Combine(models, "digits_cnn.onnx"), "Digits", run.OutputDirectory(folder),
                ("Quantize", new() { ["Mode"] = "StaticInt8", ["Calibration"] = Calibration, ["CalibrationMethod"] = "MinMax" }),
                ("AccuracyBudget", Budget("0")));
            var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", plan);
            Assert.True(exitCode == 0, stderr);
            // Everything but the elapsed time.
            return (Text: stdout[..stdout.LastIndexOf(", ", StringComparison.Ordinal)],
                Model: File.ReadAllBytes(Path.Combine(run.OutputDirectory(folder), "Digits.onnx")));
        }).ToArray();

        Assert.Equal(lines[0].Text, lines[1].Text);
        Assert.Equal(lines[0].Model, lines[1].Model);
    }

    [Fact]
    public void KeepFloat_leaves_the_named_layers_in_float32_from_the_command_line()
    {
        if (Setup() is not { } setup) return;
        var (run, models) = setup;
        using var _ = run;
        var target = Path.Combine(run.OutputDirectory(), "cnn.onnx");
        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--model", Path.Combine(models, "digits_cnn.onnx"), "--output", target,
            "--pass", $"Quantize:Mode=StaticInt8,Calibration={Path.Combine(run.Directory, Calibration)},KeepFloat=/conv1/Conv;/fc/Gemm");
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, exitCode);
        var optimized = OnnxModelLoader.Load(target);
        foreach (var node in optimized.Graph.Nodes)
            output.WriteLine($"{node.Name} {node.OpType}({string.Join(", ", node.Inputs)})");
        // A layer kept in float32 reads its float weight directly; a quantized one through DequantizeLinear.
        string? Feed(string node) => optimized.Graph.FindProducer(optimized.Graph.Nodes.Single(n => n.Name == node).Inputs[1])?.OpType;
        Assert.NotEqual("DequantizeLinear", Feed("/conv1/Conv"));
        Assert.NotEqual("DequantizeLinear", Feed("/fc/Gemm"));
        Assert.Equal("DequantizeLinear", Feed("/conv2/Conv"));
    }

    [Theory]
    [InlineData("MaxDrop", "1.5", "OPT1063")]
    [InlineData("Tolerance", "0.1", "OPT1063")]
    public void Bad_budget_options_are_coded_errors(string option, string value, string code)
    {
        if (Setup() is not { } setup) return;
        var (run, models) = setup;
        using var _ = run;
        var plan = run.WritePlan(Path.Combine(models, "digits_mlp.onnx"), "Mlp", run.OutputDirectory(),
            ("Quantize", new() { ["Mode"] = "DynamicInt8" }), ("AccuracyBudget", new() { [option] = value }));
        var (exitCode, _, stderr) = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(stderr);
        Assert.Equal(1, exitCode);
        Assert.Contains($"error {code}:", stderr);
    }
}

using System.Text.RegularExpressions;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests;

/// <summary>
/// [AccuracyBudget] on the digits models with the 450 held-out test digits (raw float32 [450,64] read as
/// samples of the model input [1,8,8]) and their labels (raw uint8): a budget that holds, one that cannot
/// hold (coded error, nothing written), and one that holds only after quantized layers are reverted to fp32
/// (on a copy of the CNN made sensitive to int8 on purpose, so the miss holds on every CPU).
/// </summary>
public sealed class AccuracyBudgetTests(ITestOutputHelper output)
{
    private const string Validation = "val.f32";
    private const string Labels = "val.u8";
    private const string Calibration = "calib.f32";

    private static (EngineRun Run, string Models) Setup()
    {
        var models = RepositoryPaths.SharedModels;
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

    [ConditionalFact("data")]
    public void A_budget_that_holds_passes_and_prints_the_figures()
    {
        var (run, models) = Setup();
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

    [ConditionalFact("data")]
    public void An_impossible_budget_fails_with_a_coded_error_and_leaves_no_outputs()
    {
        var (run, models) = Setup();
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

    [ConditionalFact("data")]
    public void A_budget_the_fully_quantized_model_misses_holds_after_reverting_the_costliest_layer()
    {
        var (run, models) = Setup();
        using var _ = run;
        var outputDirectory = run.OutputDirectory();
        var model = WriteSensitiveCnn(Path.Combine(models, "digits_cnn.onnx"), Path.Combine(run.Directory, "digits_cnn.onnx"));
        var plan = run.WritePlan(model, "Digits", outputDirectory,
            ("Quantize", new() { ["Mode"] = "StaticInt8", ["Calibration"] = Calibration }), ("AccuracyBudget", Budget("0.01")));

        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, exitCode);
        var warning = Assert.Single(stdout.Split('\n'), line => line.Contains("warning OPT1061"));
        Assert.Contains("Program.cs(14,2): warning OPT1061: Models/digits_cnn.onnx: the accuracy drop of the fully quantized model, ", warning);
        // Both convolutions quantize the stretched activation (conv1 its output, conv2 its input): the two are kept, the Gemm stays int8.
        Assert.Matches(@"exceeds \[AccuracyBudget\] MaxDrop 1\.0%; kept 2 of 3 quantized layers in float32 to hold it \((/conv2/Conv, /conv1/Conv|/conv1/Conv, /conv2/Conv)\)", warning);
        // The crushed channels cost far more than any CPU's int8 rounding: the miss does not depend on the CPU.
        var fullDrop = double.Parse(System.Text.RegularExpressions.Regex.Match(warning, @"fully quantized model, ([\d.]+)% \(top-1 drop\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(fullDrop >= 10, $"the fully quantized sensitive model lost only {fullDrop}% top-1");
        Assert.Matches(@"top-1 99\.3% → 99\.\d% \(budget 1\.0%\)", stdout);
        Assert.Contains("2 quantized layers kept in fp32 (", stdout);

        var optimized = OnnxModelLoader.Load(Path.Combine(outputDirectory, "Digits.onnx"));
        // The reverted layers read their float weights directly; the Gemm reads int8 weights through DequantizeLinear.
        string? WeightFeed(string node) => optimized.Graph.FindProducer(optimized.Graph.Nodes.Single(n => n.Name == node).Inputs[1])?.OpType;
        Assert.NotEqual("DequantizeLinear", WeightFeed("/conv1/Conv"));
        Assert.NotEqual("DequantizeLinear", WeightFeed("/conv2/Conv"));
        Assert.Equal("DequantizeLinear", WeightFeed("/fc/Gemm"));
    }

    /// <summary>
    /// The digits CNN made sensitive to int8 on purpose, on every CPU: conv1's first output channel scaled up
    /// <paramref name="factor"/> times and conv2's weights that read it scaled down as much. The float model
    /// computes the same function (ReLU and max pooling commute with a positive scale), but the activation
    /// conv2 reads now spans <paramref name="factor"/> times the range of its other channels, so one int8 scale
    /// for the tensor rounds those channels to (nearly) zero. Keeping both convolutions in float32 undoes it.
    /// </summary>
    internal static string WriteSensitiveCnn(string source, string target, float factor = 1000)
    {
        var model = OnnxModelLoader.Load(source);
        var graph = model.Graph;
        var conv1 = graph.Nodes.Single(n => n.Name == "/conv1/Conv");
        var conv2 = graph.Nodes.Single(n => n.Name == "/conv2/Conv");
        var order = graph.GetTopologicalOrder().ToList();
        var between = order.Skip(order.IndexOf(conv1) + 1).Take(order.IndexOf(conv2) - order.IndexOf(conv1) - 1);
        Assert.All(between, n => Assert.Contains(n.OpType, new[] { "Relu", "MaxPool" }));

        void Scale(string name, Func<int, bool> selected, float by)
        {
            var index = graph.Initializers.FindIndex(t => t.Name == name);
            var tensor = graph.Initializers[index];
            var values = tensor.ToFloatArray();
            for (int i = 0; i < values.Length; i++)
                if (selected(i)) values[i] *= by;
            graph.Initializers[index] = OnnxTensor.FromFloats(name, tensor.Dims, values);
        }

        var w1 = graph.FindInitializer(conv1.Inputs[1])!;
        long perChannel1 = w1.ElementCount / w1.Dims[0];
        Scale(conv1.Inputs[1], i => i < perChannel1, factor);
        Scale(conv1.Inputs[2], i => i == 0, factor);
        var w2 = graph.FindInitializer(conv2.Inputs[1])!;
        long kernel = w2.Dims[2] * w2.Dims[3], inputChannels = w2.Dims[1];
        Scale(conv2.Inputs[1], i => i / kernel % inputChannels == 0, 1 / factor);
        OnnxModelWriter.Save(model, target);
        return target;
    }

    [ConditionalFact("data")]
    public void Without_validation_data_the_figures_come_from_calibration_or_generated_inputs()
    {
        var (run, models) = Setup();
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
        Assert.Contains("on 32 generated samples (", stdout);
        Assert.Contains("seed 20240601; no data declared) — estimate; declare Validation data", stdout);
        Assert.Contains("agreement ", stdout);
    }

    [ConditionalFact("data")]
    public void Verification_figures_are_deterministic()
    {
        var (run, models) = Setup();
        using var _ = run;
        var lines = new[] { "x", "y" }.Select(folder =>
        {
            var plan = run.WritePlan(Path.Combine(models, "digits_cnn.onnx"), "Digits", run.OutputDirectory(folder),
                ("Quantize", new() { ["Mode"] = "StaticInt8", ["Calibration"] = Calibration, ["CalibrationMethod"] = "MinMax" }),
                ("AccuracyBudget", Budget("0")));
            var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", plan);
            Assert.True(exitCode == 0, stderr);
            // Everything but the elapsed time and the default speed check's timings (its warning and the latency clause).
            var text = string.Join("\n", stdout.Split('\n').Where(line => !line.Contains("warning OPT1090")));
            text = Regex.Replace(text, @", \w+ \d+\.\d\d× fp32 latency \(p50 [^)]*\) at \S+ \[[\d,]+\]", "");
            return (Text: text[..text.LastIndexOf(", ", StringComparison.Ordinal)],
                Model: File.ReadAllBytes(Path.Combine(run.OutputDirectory(folder), "Digits.onnx")));
        }).ToArray();

        Assert.Equal(lines[0].Text, lines[1].Text);
        Assert.Equal(lines[0].Model, lines[1].Model);
    }

    [ConditionalFact("data")]
    public void KeepFloat_leaves_the_named_layers_in_float32_from_the_command_line()
    {
        var (run, models) = Setup();
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

    [ConditionalTheory("data")]
    [InlineData("MaxDrop", "1.5", "OPT1063")]
    [InlineData("Tolerance", "0.1", "OPT1063")]
    public void Bad_budget_options_are_coded_errors(string option, string value, string code)
    {
        var (run, models) = Setup();
        using var _ = run;
        var plan = run.WritePlan(Path.Combine(models, "digits_mlp.onnx"), "Mlp", run.OutputDirectory(),
            ("Quantize", new() { ["Mode"] = "DynamicInt8" }), ("AccuracyBudget", new() { [option] = value }));
        var (exitCode, _, stderr) = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(stderr);
        Assert.Equal(1, exitCode);
        Assert.Contains($"error {code}:", stderr);
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests;

/// <summary>
/// Quantize RequireSpeedup: the engine times the quantized model against fp32 on this machine and
/// keeps fp32 where INT8 is not faster. The models have a large gap, so the expected decision is the
/// usual one, but timing on a busy 2-core VM can still flip it: each test then checks that the
/// written model follows the printed figures instead of failing on the machine's load. Usually the digits CNN's static INT8 is about 2× slower than fp32 here
/// (tests/Optimizer.Benchmarks/README.md: 2.19× at batch 1) and the MLP 784-1024-1024-10's dynamic INT8
/// about 0.38× (its 7 MB of fp32 weights stream from memory; int8 weights are a quarter of that).
/// </summary>
public sealed class SpeedupGateTests(ITestOutputHelper output) : IDisposable
{
    private readonly EngineRun _run = new();

    public void Dispose() => _run.Dispose();

    [ConditionalFact("data")]
    public void Keeps_fp32_for_the_digits_cnn_whose_static_int8_is_slower_and_warns_with_the_figures()
    {
        var models = RepositoryPaths.SharedModels;

        File.Copy(Path.Combine(models, "..", "digits", "digits_train_x_1347x64.f32"), Path.Combine(_run.Directory, "calib.f32"));
        var outputDirectory = _run.OutputDirectory();
        var plan = _run.WritePlan(Path.Combine(models, "digits_cnn.onnx"), "Digits", outputDirectory,
            ("Quantize", new() { ["Mode"] = "StaticInt8", ["Calibration"] = "calib.f32", ["RequireSpeedup"] = "true" }));

        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, exitCode);
        if (!stdout.Contains("warning OPT1064"))
        {
            // The machine was loaded enough to time INT8 as faster: the decision must still follow the figures.
            AssertKeptQuantized(stdout, "StaticInt8", Path.Combine(outputDirectory, "Digits.onnx"), "QLinearConv", "QuantizeLinear");
            return;
        }

        var warning = Assert.Single(stdout.Split('\n'), l => l.Contains("warning OPT1064"));
        Assert.StartsWith(_run.SourceFile + "(13,2): warning OPT1064: Models/digits_cnn.onnx: the StaticInt8 model is not faster than fp32", warning);
        var ratio = Regex.Match(warning, @"p50 \d+\.\d{3} ms vs \d+\.\d{3} ms, (\d+\.\d\d)×");
        Assert.True(ratio.Success, warning);
        Assert.True(double.Parse(ratio.Groups[1].Value, CultureInfo.InvariantCulture) > 0.95, warning);
        Assert.Contains("kept fp32", stdout);
        Assert.DoesNotContain("OPT1058", stdout);

        // The fp32 model was written: no quantized op left, and it computes what the original does.
        var written = OnnxModelLoader.Load(Path.Combine(outputDirectory, "Digits.onnx"));
        Assert.DoesNotContain(written.Graph.Nodes, n => n.OpType is "QuantizeLinear" or "DequantizeLinear" or "QLinearConv");
        Assert.Contains(written.Graph.Nodes, n => n.OpType == "Conv");
        Assert.Contains("agreement 100.0%", stdout);

        var html = File.ReadAllText(Path.Combine(outputDirectory, "Digits.report.html"));
        Assert.Contains("data-chart=\"latency\"", html);
        Assert.Contains("kept fp32: StaticInt8 is not faster", html);
        var markdown = File.ReadAllText(Path.Combine(outputDirectory, "Digits.report.md"));
        Assert.Contains("| latency p50 (fp32 → StaticInt8) |", markdown);
        Assert.Contains("**Speed-up gate: kept fp32", markdown);
    }

    [Fact]
    public void Keeps_int8_for_the_large_mlp_where_it_is_faster_and_says_so()
    {
        var modelPath = Path.Combine(_run.Directory, "mlp.onnx");
        File.WriteAllBytes(modelPath, OnnxModelWriter.ToBytes(LargeMlp.Build()));
        var outputDirectory = _run.OutputDirectory();
        var plan = _run.WritePlan(modelPath, "Mlp", outputDirectory,
            ("Quantize", new() { ["Mode"] = "DynamicInt8", ["RequireSpeedup"] = "true" }));

        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, exitCode);
        if (stdout.Contains("warning OPT1064"))
        {
            // The machine was loaded enough to time INT8 as not faster: then fp32 must be what was written.
            output.WriteLine("NOTE: INT8 was timed as not faster on this (loaded) machine; checking the fp32 branch instead.");
            Assert.DoesNotContain(OnnxModelLoader.Load(Path.Combine(outputDirectory, "Mlp.onnx")).Graph.Nodes, n => n.OpType == "MatMulIntegerToFloat");
            return;
        }

        AssertKeptQuantized(stdout, "DynamicInt8", Path.Combine(outputDirectory, "Mlp.onnx"), "MatMulIntegerToFloat");
        var written = OnnxModelLoader.Load(Path.Combine(outputDirectory, "Mlp.onnx"));
        Assert.Equal(3, written.Graph.Nodes.Count(n => n.OpType == "MatMulIntegerToFloat"));
        Assert.True(new FileInfo(Path.Combine(outputDirectory, "Mlp.onnx")).Length < new FileInfo(modelPath).Length / 3);
        Assert.Contains("kept DynamicInt8: 0.", File.ReadAllText(Path.Combine(outputDirectory, "Mlp.report.html")));
    }

    /// <summary>The summary says INT8 was kept at a ratio the gate accepts, and the written model is quantized.</summary>
    private void AssertKeptQuantized(string stdout, string mode, string writtenModel, params string[] quantizedOps)
    {
        var ratio = Regex.Match(stdout, mode + @" (\d+\.\d\d)× fp32 latency \(p50 \d+\.\d{3} ms vs \d+\.\d{3} ms\)");
        Assert.True(ratio.Success, stdout);
        Assert.True(double.Parse(ratio.Groups[1].Value, CultureInfo.InvariantCulture) <= 0.95, stdout);
        output.WriteLine($"{mode} timed at {ratio.Groups[1].Value}× fp32: kept.");
        var written = OnnxModelLoader.Load(writtenModel);
        Assert.Contains(written.Graph.Nodes, n => quantizedOps.Contains(n.OpType));
    }

    [ConditionalFact("data")]
    public void Without_RequireSpeedup_a_declared_quantization_is_timed_by_default_and_kept()
    {
        var models = RepositoryPaths.SharedModels;
        var outputDirectory = _run.OutputDirectory();
        var plan = _run.WritePlan(Path.Combine(models, "digits_mlp.onnx"), "Digits", outputDirectory, ("Quantize", new() { ["Mode"] = "DynamicInt8" }));

        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(stdout + stderr);

        Assert.Equal(0, exitCode);
        Assert.Matches(@"DynamicInt8 \d+\.\d\d× fp32 latency \(p50 \d+\.\d{3} ms vs \d+\.\d{3} ms\) at input \[1,1,8,8\]", stdout);
        Assert.DoesNotContain("OPT1064", stdout);
        // Slower or not, the declared quantization is what was written (only a warning says it is slower).
        Assert.Contains(OnnxModelLoader.Load(Path.Combine(outputDirectory, "Digits.onnx")).Graph.Nodes, n => n.OpType == "MatMulIntegerToFloat");
        if (stdout.Contains("warning OPT1090"))
            Assert.Contains("it is kept as declared", stdout);
        var html = File.ReadAllText(Path.Combine(outputDirectory, "Digits.report.html"));
        Assert.Contains("data-chart=\"latency\"", html);
        Assert.Contains("kept DynamicInt8", html);
        Assert.Contains("(generated inputs", html);
    }

    [ConditionalFact("data")]
    public void Without_quantization_nothing_is_timed()
    {
        var models = RepositoryPaths.SharedModels;
        var outputDirectory = _run.OutputDirectory();
        var plan = _run.WritePlan(Path.Combine(models, "digits_mlp.onnx"), "Digits", outputDirectory, ("Prune", new() { ["Sparsity"] = "0.3" }));

        var (exitCode, stdout, _) = EngineRun.Run("optimize", "--plan", plan);

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("latency", stdout);
        Assert.DoesNotContain("data-chart=\"latency\"", File.ReadAllText(Path.Combine(outputDirectory, "Digits.report.html")));
    }
}

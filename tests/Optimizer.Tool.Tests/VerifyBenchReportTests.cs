using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Tool.Tests;

public sealed class VerifyBenchReportTests(ITestOutputHelper output) : IDisposable
{
    private readonly ToolRun _run = new();

    public void Dispose() => _run.Dispose();

    private string Optimized(string modelFile, string name, params string[] passes)
    {
        var model = ToolRun.SharedModel(modelFile);
        var target = _run.PathOf(name);
        var result = ToolRun.Tool(["optimize", model, "-o", target, .. passes.SelectMany(p => new[] { "--pass", p })]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return target;
    }

    [ConditionalFact("data")]
    public void Verify_gives_top1_agreement_and_per_output_figures_on_the_digits_test_set()
    {
        var optimized = Optimized("digits_mlp.onnx", "mlp.int8.onnx", "Quantize:Mode=DynamicInt8");

        var result = ToolRun.Tool("verify", ToolRun.SharedModel("digits_mlp.onnx"), optimized,
            "--validation", ToolRun.SharedDigits("digits_test_x_450x64.f32"), "--labels", ToolRun.SharedDigits("digits_test_y_450.u8"), "--max-drop", "0.01", "--json");
        output.WriteLine(result.ToString());

        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        Assert.Equal(450, json.GetProperty("samples").GetInt32());
        Assert.Equal(0.9711, json.GetProperty("top1Original").GetDouble(), 3); // the model's documented accuracy
        Assert.True(json.GetProperty("agreement").GetDouble() >= 0.98);
        Assert.True(json.GetProperty("withinMaxDrop").GetBoolean());
        var logits = Assert.Single(json.GetProperty("outputs").EnumerateArray());
        Assert.Equal("logits", logits.GetProperty("name").GetString());
        Assert.True(logits.GetProperty("sqnrDb").GetDouble() > 20);
        Assert.True(logits.GetProperty("cosine").GetDouble() > 0.99);
    }

    [ConditionalFact("data")]
    public void Verify_fails_with_OPT1067_when_the_drop_exceeds_max_drop()
    {
        var optimized = Optimized("digits_cnn.onnx", "cnn.pruned.onnx", "Prune:Sparsity=0.9");

        var result = ToolRun.Tool("verify", ToolRun.SharedModel("digits_cnn.onnx"), optimized,
            "--validation", ToolRun.SharedDigits("digits_test_x_450x64.f32"), "--labels", ToolRun.SharedDigits("digits_test_y_450.u8"), "--max-drop", "0.001");
        output.WriteLine(result.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error OPT1067: ", result.Stderr);
        Assert.Contains("top-1:", result.Stdout);
    }

    [Fact]
    public void Verify_labels_without_validation_is_a_usage_error()
    {
        var result = ToolRun.Tool("verify", "a.onnx", "b.onnx", "--labels", "y.u8");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("OPT1050", result.Stderr);
    }

    [ConditionalFact("data")]
    public void Verify_of_models_with_different_signatures_is_a_coded_error()
    {
        var mlp = ToolRun.SharedModel("digits_mlp.onnx");

        var result = ToolRun.Tool("verify", mlp, ToolRun.SharedModel("hello_deepa.onnx"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error OPT1062: ", result.Stderr);
    }

    [ConditionalFact("data")]
    public void Bench_times_models_side_by_side_with_percentiles_throughput_and_memory()
    {
        var optimized = Optimized("digits_mlp.onnx", "mlp.int8.onnx", "Quantize:Mode=DynamicInt8");

        // ONNX Runtime rows only: the compiled rows bench adds by default are BenchCompiledPathTests'.
        var result = ToolRun.Tool("bench", ToolRun.SharedModel("digits_mlp.onnx"), optimized, "--duration", "0.3", "--min-runs", "25", "--batch", "4", "--path", "onnxruntime", "--json");
        output.WriteLine(result.ToString());

        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        Assert.Equal(4, json.GetProperty("settings").GetProperty("batch").GetInt32());
        Assert.Equal(1, json.GetProperty("settings").GetProperty("threads").GetInt32());
        var models = json.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(2, models.Count);
        Assert.Equal(1.0, models[0].GetProperty("p50Ratio").GetDouble());
        foreach (var m in models)
        {
            Assert.True(m.GetProperty("runs").GetInt32() >= 25);
            var (p50, p90, p99) = (m.GetProperty("p50Ms").GetDouble(), m.GetProperty("p90Ms").GetDouble(), m.GetProperty("p99Ms").GetDouble());
            Assert.True(p50 > 0 && p50 <= p90 && p90 <= p99, $"{p50} {p90} {p99}");
            Assert.True(m.GetProperty("throughputPerSecond").GetDouble() > 0);
            if (OperatingSystem.IsLinux())
                Assert.True(m.GetProperty("peakMemoryBytes").GetInt64() >= 0);
        }
    }

    [ConditionalFact("data")]
    public void Bench_text_shows_a_table()
    {
        var model = ToolRun.SharedModel("hello_deepa.onnx");

        var result = ToolRun.Tool("bench", model, "--duration", "0.1");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("p99", result.Stdout);
        Assert.Contains("hello_deepa.onnx", result.Stdout);
        Assert.Contains("1.00×", result.Stdout);
    }

    [ConditionalFact("data")]
    public void Report_writes_self_contained_html_with_latency_chart_and_markdown()
    {
        var optimized = Optimized("digits_cnn.onnx", "cnn.fp16.onnx", "Quantize:Mode=Float16");
        var folder = _run.PathOf("reports");

        var result = ToolRun.Tool("report", ToolRun.SharedModel("digits_cnn.onnx"), optimized, "-d", folder, "--name", "digits", "--bench", "--json");
        output.WriteLine(result.ToString());

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.Json().GetProperty("reports").GetArrayLength());
        var html = File.ReadAllText(Path.Combine(folder, "digits.report.html"));
        foreach (var chart in new[] { "size", "latency", "layer-params" })
            Assert.Contains($"data-chart=\"{chart}\"", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", ""));
        Assert.Contains("| latency p50 (original → optimized) |", File.ReadAllText(Path.Combine(folder, "digits.report.md")));
    }
}

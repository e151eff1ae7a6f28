using Optimizer.Compiler;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Tool.Tests;

/// <summary>
/// <c>bench</c> times each model with ONNX Runtime and as the compiled kernels the build embeds
/// (<c>--path</c> chooses), in one interleaved run; a model that does not compile keeps its ONNX
/// Runtime row and gets a line saying why.
/// </summary>
public sealed class BenchCompiledPathTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Short timing: these tests check the rows, not the figures.</summary>
    private static readonly string[] Quick = ["--duration", "0.2", "--min-runs", "3", "--warmup", "1"];

    /// <summary>An operator ONNX Runtime runs and the kernel set lacks (checked in <see cref="NotCompiling"/>).</summary>
    private const string MissingOperator = "Sin";

    private readonly ToolRun _run = new();

    public void Dispose() => _run.Dispose();

    [ConditionalFact("data")]
    public void Bench_times_each_model_on_onnx_runtime_and_compiled_in_one_run()
    {
        var mlp = ToolRun.SharedModel("digits_mlp.onnx");
        var cnn = ToolRun.SharedModel("digits_cnn.onnx");

        var result = Bench([mlp, cnn, "--json"]);

        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        Assert.Equal(1, json.GetProperty("settings").GetProperty("compiledThreads").GetInt32());
        var rows = json.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(
            [(mlp, "onnxruntime", "digits_mlp.onnx"), (mlp, "compiled", "digits_mlp.onnx (compiled)"), (cnn, "onnxruntime", "digits_cnn.onnx"), (cnn, "compiled", "digits_cnn.onnx (compiled)")],
            rows.Select(r => (r.GetProperty("path").GetString(), r.GetProperty("executionPath").GetString(), r.GetProperty("label").GetString())).ToList());
        Assert.Equal(1.0, rows[0].GetProperty("p50Ratio").GetDouble());
        foreach (var row in rows)
        {
            Assert.True(row.GetProperty("runs").GetInt32() >= 3);
            var p50 = row.GetProperty("p50Ms").GetDouble();
            Assert.True(p50 > 0 && p50 <= row.GetProperty("p99Ms").GetDouble(), row.ToString());
            Assert.Equal(p50 / rows[0].GetProperty("p50Ms").GetDouble(), row.GetProperty("p50Ratio").GetDouble(), 9);
        }

        Assert.Equal(0, json.GetProperty("notTimed").GetArrayLength());
        Assert.All(json.GetProperty("shapes").EnumerateArray(), shape => Assert.Equal(4, shape.GetProperty("models").GetArrayLength()));
    }

    [ConditionalFact("data")]
    public void Bench_text_shows_the_compiled_row_and_says_it_runs_single_threaded()
    {
        var result = Bench([ToolRun.SharedModel("digits_mlp.onnx")]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("digits_mlp.onnx (compiled)", result.Stdout);
        Assert.Contains("compiled kernels single-threaded", result.Stdout);
        Assert.DoesNotContain("no compiled row", result.Stdout);
    }

    [ConditionalFact("data")]
    public void Path_option_times_one_path_only()
    {
        var model = ToolRun.SharedModel("digits_mlp.onnx");

        var onnxRuntime = Bench([model, "--path", "onnxruntime", "--json"]);
        var compiled = Bench([model, "--path", "compiled", "--json"]);

        Assert.Equal(0, onnxRuntime.ExitCode);
        Assert.Equal("onnxruntime", Assert.Single(onnxRuntime.Json().GetProperty("models").EnumerateArray()).GetProperty("executionPath").GetString());
        Assert.Equal(0, compiled.ExitCode);
        var row = Assert.Single(compiled.Json().GetProperty("models").EnumerateArray());
        Assert.Equal("compiled", row.GetProperty("executionPath").GetString());
        Assert.True(row.GetProperty("p50Ms").GetDouble() > 0);
        Assert.Equal(1.0, row.GetProperty("p50Ratio").GetDouble());
    }

    [ConditionalFact("data")]
    public void Profile_says_where_each_compiled_rows_time_goes_per_step_kind_and_node()
    {
        var cnn = ToolRun.SharedModel("digits_cnn.onnx");

        var json = Bench([cnn, "--profile", "--json"]);
        var text = Bench([cnn, "--profile", "--path", "compiled"]);

        Assert.Equal(0, json.ExitCode);
        var profile = Assert.Single(json.Json().GetProperty("profiles").EnumerateArray());
        Assert.Equal("digits_cnn.onnx (compiled)", profile.GetProperty("label").GetString());
        var total = profile.GetProperty("stepsMs").GetDouble();
        var kinds = profile.GetProperty("kinds").EnumerateArray().ToList();
        var steps = profile.GetProperty("steps").EnumerateArray().ToList();
        Assert.True(total > 0);
        Assert.Contains(kinds, k => k.GetProperty("kind").GetString() == "Conv" && k.GetProperty("steps").GetInt32() == 2);
        Assert.Equal(total, kinds.Sum(k => k.GetProperty("ms").GetDouble()), 6);
        Assert.Equal(steps.Count, kinds.Sum(k => k.GetProperty("steps").GetInt32()));
        Assert.Equal(steps.Select(s => s.GetProperty("ms").GetDouble()).OrderByDescending(ms => ms), steps.Select(s => s.GetProperty("ms").GetDouble()));
        Assert.All(steps.Where(s => s.GetProperty("kind").GetString() == "Conv"), s => Assert.StartsWith("/conv", s.GetProperty("node").GetString(), StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("Where digits_cnn.onnx (compiled)'s time goes", text.Stdout);
        Assert.Contains("│ Conv", text.Stdout);
    }

    [Fact]
    public void An_unknown_path_is_a_usage_error()
    {
        var result = ToolRun.Tool("bench", _run.PathOf("any.onnx"), "--path", "gpu");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("OPT1050", result.Stderr);
        Assert.Contains("gpu", result.Stderr);
    }

    [ConditionalFact("data")]
    public void A_model_that_does_not_compile_keeps_its_onnx_runtime_row_and_says_why()
    {
        var model = NotCompiling();

        var text = Bench([model]);
        var json = Bench([model, "--json"]);

        Assert.Equal(0, text.ExitCode);
        Assert.Contains("sin.onnx: no compiled row, it does not compile: ", text.Stdout);
        Assert.Contains($"operator {MissingOperator} is not in the kernel set", text.Stdout);
        Assert.DoesNotContain("(compiled)", text.Stdout);
        Assert.DoesNotContain("single-threaded", text.Stdout);
        Assert.Equal(0, json.ExitCode);
        var root = json.Json();
        var row = Assert.Single(root.GetProperty("models").EnumerateArray());
        Assert.Equal("onnxruntime", row.GetProperty("executionPath").GetString());
        Assert.True(row.GetProperty("p50Ms").GetDouble() > 0);
        var notTimed = Assert.Single(root.GetProperty("notTimed").EnumerateArray());
        Assert.Equal("compiled", notTimed.GetProperty("executionPath").GetString());
        Assert.Equal(model, notTimed.GetProperty("path").GetString());
        Assert.Equal(MissingOperator, Assert.Single(notTimed.GetProperty("operators").EnumerateArray()).GetString());
        Assert.Contains($"operator {MissingOperator} is not in the kernel set", notTimed.GetProperty("reason").GetString());
    }

    [ConditionalFact("data")]
    public void Path_compiled_on_a_model_that_does_not_compile_is_a_coded_error_naming_the_operator()
    {
        var result = Bench([NotCompiling(), "--path", "compiled"]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error OPT1065: ", result.Stderr);
        Assert.Contains("sin.onnx: no compiled row, it does not compile: ", result.Stderr);
        Assert.Contains($"operator {MissingOperator} is not in the kernel set", result.Stderr);
    }

    private ToolRun.Result Bench(string[] args)
    {
        var result = ToolRun.Tool(["bench", .. args, .. Quick]);
        output.WriteLine(result.ToString());
        return result;
    }

    /// <summary>digits_mlp with its logits passed through <see cref="MissingOperator"/>: ONNX Runtime runs it, the kernel compiler refuses it.</summary>
    private string NotCompiling()
    {
        Assert.DoesNotContain(MissingOperator, KernelCompiler.SupportedOperators);
        var model = OnnxModelLoader.Load(ToolRun.SharedModel("digits_mlp.onnx"));
        var logits = model.Graph.Outputs[0].Name;
        var producer = model.Graph.Nodes.Single(n => n.Outputs.Contains(logits));
        producer.Outputs[producer.Outputs.IndexOf(logits)] = logits + "_before_sin";
        model.Graph.Nodes.Add(new OnnxNode(MissingOperator, [logits + "_before_sin"], [logits], "sin"));
        var path = _run.PathOf("sin.onnx");
        OnnxModelWriter.Save(model, path);
        return path;
    }
}

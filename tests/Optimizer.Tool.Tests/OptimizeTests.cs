using System.Text.Json;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Tool.Tests;

/// <summary>
/// <c>onnx-opt optimize</c> runs the build's engine: for the same plan the tool's command-line options
/// and a plan file written as the MSBuild task writes it give byte-identical models.
/// </summary>
public sealed class OptimizeTests(ITestOutputHelper output) : IDisposable
{
    private readonly ToolRun _run = new();

    public void Dispose() => _run.Dispose();

    /// <summary>A plan in the task's format (src/README.md, "Plan"), with data paths relative to the project folder.</summary>
    private string WritePlan(string model, string name, string outputDirectory, params (string Pass, Dictionary<string, string> Options)[] passes)
    {
        var source = _run.PathOf("Program.cs");
        var plan = new Dictionary<string, object?>
        {
            ["formatVersion"] = 1,
            ["name"] = name,
            ["className"] = name,
            ["model"] = model,
            ["modelPath"] = "Models/" + Path.GetFileName(model),
            ["declaredAt"] = new { file = source, line = 10, column = 2 },
            ["outputDirectory"] = outputDirectory,
            ["projectDirectory"] = _run.Directory,
            ["resourceName"] = "Optimizer.Build." + name + ".onnx",
            ["passes"] = passes.Select((p, i) => new { pass = p.Pass, options = p.Options, declaredAt = new { file = source, line = 11 + i, column = 2 } }).ToArray(),
        };
        var path = _run.PathOf(name + ".plan.json");
        File.WriteAllText(path, JsonSerializer.Serialize(plan));
        return path;
    }

    public static TheoryData<string, string[]> Plans => new()
    {
        { "digits_cnn.onnx", ["Prune:Sparsity=0.5", "Quantize:Mode=StaticInt8,Calibration=calib.f32"] },
        { "digits_mlp.onnx", ["Quantize:Mode=DynamicInt8"] },
        { "hello_deepa.onnx", ["Prune:Sparsity=0.3,Structure=Channel", "Quantize:Mode=Float16"] },
    };

    [ConditionalTheory("data")]
    [MemberData(nameof(Plans))]
    public void Tool_options_give_the_bytes_the_build_gives_for_the_same_plan(string modelFile, string[] passes)
    {
        var model = ToolRun.SharedModel(modelFile);
        var calibration = ToolRun.SharedDigits("digits_train_x_1347x64.f32");

        File.Copy(calibration, _run.PathOf("calib.f32"));
        var parsed = passes.Select(p => (Pass: p[..p.IndexOf(':')], Options: p[(p.IndexOf(':') + 1)..].Split(',').ToDictionary(o => o[..o.IndexOf('=')], o => o[(o.IndexOf('=') + 1)..]))).ToArray();

        // The build: the engine runs the plan file the task wrote.
        var buildOutput = _run.PathOf("obj");
        var build = ToolRun.Engine("optimize", "--plan", WritePlan(model, "App.Digits", buildOutput, parsed));
        output.WriteLine(build.ToString());
        Assert.Equal(0, build.ExitCode);

        // The tool, from options (data paths relative to the current folder, so given absolute here).
        var toolOutput = _run.PathOf(Path.Combine("cli", "digits.onnx"));
        var toolPasses = passes.Select(p => p.Replace("calib.f32", _run.PathOf("calib.f32"))).SelectMany(p => new[] { "--pass", p });
        var tool = ToolRun.Tool(["optimize", model, "-o", toolOutput, .. toolPasses]);
        output.WriteLine(tool.ToString());
        Assert.Equal(0, tool.ExitCode);

        var built = File.ReadAllBytes(Path.Combine(buildOutput, "App.Digits.onnx"));
        Assert.Equal(built, File.ReadAllBytes(toolOutput));
        Assert.True(built.Length < new FileInfo(model).Length);

        // The tool running the plan file itself writes the same bytes again.
        var again = ToolRun.Tool("optimize", "--plan", WritePlan(model, "App.Again", _run.PathOf("again"), parsed));
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(built, File.ReadAllBytes(_run.PathOf(Path.Combine("again", "App.Again.onnx"))));
    }

    [ConditionalFact("data")]
    public void Json_output_describes_what_was_written()
    {
        var model = ToolRun.SharedModel("digits_mlp.onnx");
        var target = _run.PathOf("mlp.int8.onnx");

        var result = ToolRun.Tool("optimize", model, "--output", target, "--pass", "Quantize:Mode=DynamicInt8", "--json");
        output.WriteLine(result.ToString());

        Assert.Equal(0, result.ExitCode);
        var json = result.Json();
        Assert.Equal(target, json.GetProperty("output").GetString());
        Assert.Equal(new FileInfo(target).Length, json.GetProperty("sizeAfter").GetInt64());
        Assert.True(json.GetProperty("sizeAfter").GetInt64() < json.GetProperty("sizeBefore").GetInt64() / 2);
        Assert.Contains(json.GetProperty("passes").EnumerateArray(), p => p.GetProperty("pass").GetString() == "Quantize");
        Assert.Equal(1.0, json.GetProperty("fidelity").GetProperty("agreement").GetDouble(), 2);
        Assert.NotEmpty(json.GetProperty("reports").EnumerateArray());
        Assert.All(json.GetProperty("reports").EnumerateArray(), r => Assert.True(File.Exists(r.GetString())));
        Assert.StartsWith("digits_mlp.onnx: quantize DynamicInt8 → ", json.GetProperty("summary").GetString());
        Assert.True(File.Exists(_run.PathOf("mlp.int8.model.json")));
    }

    [ConditionalFact("data")]
    public void RequireSpeedup_is_the_attribute_option_in_the_tool_too()
    {
        var model = ToolRun.SharedModel("digits_cnn.onnx");
        var calibration = ToolRun.SharedDigits("digits_train_x_1347x64.f32");

        var result = ToolRun.Tool("optimize", model, "-o", _run.PathOf("cnn.onnx"), "--pass", $"Quantize:Mode=StaticInt8,Calibration={calibration},RequireSpeedup=true", "--json");
        output.WriteLine(result.ToString());

        // Static INT8 of this small CNN is about 2× slower than fp32 on CPUs without VNNI: the gate keeps fp32.
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("warning OPT1064", result.Stderr);
        var latency = result.Json().GetProperty("latency");
        Assert.Equal("fp32", latency.GetProperty("beforeLabel").GetString());
        Assert.StartsWith("kept fp32", latency.GetProperty("decision").GetString());
    }

    [ConditionalFact("data")]
    public void A_missing_calibration_file_is_a_coded_error_and_nothing_is_left_behind()
    {
        var model = ToolRun.SharedModel("digits_cnn.onnx");
        var target = _run.PathOf("cnn.onnx");

        var result = ToolRun.Tool("optimize", model, "-o", target, "--pass", "Quantize:Mode=StaticInt8,Calibration=" + _run.PathOf("missing.npy"));

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"error OPT1055: .*missing\.npy", result.Stderr);
        Assert.False(File.Exists(target));
    }

    [ConditionalFact("data")]
    public void An_unknown_pass_is_a_coded_pass_error()
    {
        var model = ToolRun.SharedModel("digits_mlp.onnx");

        var result = ToolRun.Tool("optimize", model, "-o", _run.PathOf("x.onnx"), "--pass", "Shrink:Factor=2");

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"error OPT1\d\d\d: .*Shrink", result.Stderr);
    }

    [ConditionalTheory("data")]
    [InlineData("--pass", "Quantize:Mode")]
    [InlineData("--plan", "x.plan.json")]
    public void Malformed_or_conflicting_arguments_exit_with_2(string option, string value)
    {
        var model = ToolRun.SharedModel("digits_mlp.onnx");

        var result = ToolRun.Tool("optimize", model, option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error OPT1050: ", result.Stderr);
    }

    [ConditionalFact("data")]
    public void The_written_model_loads_and_keeps_its_signature()
    {
        var model = ToolRun.SharedModel("hello_deepa.onnx");
        var target = _run.PathOf("deepa.onnx");

        Assert.Equal(0, ToolRun.Tool("optimize", model, "-o", target).ExitCode);

        var written = OnnxModelLoader.Load(target);
        Assert.Equal("onnx::Flatten_0", Assert.Single(written.Graph.Inputs).Name);
    }
}

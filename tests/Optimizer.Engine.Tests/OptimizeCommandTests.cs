using System.Text.Json;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests;

public sealed class OptimizeCommandTests : IDisposable
{
    private static readonly Dictionary<string, string> DynamicInt8 = new() { ["Mode"] = "DynamicInt8" };

    private readonly EngineRun _run = new();
    private readonly ITestOutputHelper _output;

    public OptimizeCommandTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _run.Dispose();

    private static string SharedModel(string fileName) => Path.Combine(RepositoryPaths.SharedModels, fileName);

    [ConditionalFact("data")]
    public void Quantized_digits_model_and_manifest_are_written()
    {
        var model = SharedModel("digits_mlp.onnx");

        var output = _run.OutputDirectory();
        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", _run.WritePlan(model, "Sample.Digits", output, ("Quantize", DynamicInt8)));
        _output.WriteLine(stdout + stderr);

        Assert.Equal(0, exitCode);
        Assert.Empty(stderr);
        // The summary is the last line (a warning of the default speed check may come first: OPT1090 when INT8 is slower here).
        Assert.StartsWith("digits_mlp.onnx: quantize DynamicInt8 → ", stdout.TrimEnd().Split('\n')[^1]);
        // Sample.Digits.kernels is there too when the kernel compiler covers the model (Compilation tests).
        Assert.Equal(["Sample.Digits.model.json", "Sample.Digits.onnx", "Sample.Digits.report.html", "Sample.Digits.report.md"],
            Directory.GetFiles(output).Select(Path.GetFileName).Where(f => !f!.EndsWith(".kernels", StringComparison.Ordinal)).Order());

        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "Sample.Digits.model.json")));
        var root = manifest.RootElement;
        Assert.Equal(
            ["formatVersion", "engineVersion", "name", "className", "modelPath", "resourceName", "sourceSha256", "optimizedSha256", "sizeBefore", "sizeAfter", "passes", "inputs", "outputs", "execution"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Optimizer.Build.Sample.Digits.onnx", root.GetProperty("resourceName").GetString());
        Assert.Equal(new FileInfo(model).Length, root.GetProperty("sizeBefore").GetInt64());
        Assert.Equal(new FileInfo(Path.Combine(output, "Sample.Digits.onnx")).Length, root.GetProperty("sizeAfter").GetInt64());
        Assert.True(root.GetProperty("sizeAfter").GetInt64() < root.GetProperty("sizeBefore").GetInt64());
        Assert.Equal("Quantize", root.GetProperty("passes")[0].GetProperty("pass").GetString());
        var input = Assert.Single(root.GetProperty("inputs").EnumerateArray());
        Assert.Equal("float32", input.GetProperty("elementType").GetString());
        Assert.Equal("float32", root.GetProperty("outputs")[0].GetProperty("elementType").GetString());
    }

    [ConditionalFact("data")]
    public void Manifest_and_model_bytes_are_deterministic()
    {
        var model = SharedModel("digits_mlp.onnx");

        Assert.Equal(0, EngineRun.Run("optimize", "--plan", _run.WritePlan(model, "Digits", _run.OutputDirectory("a"), ("Quantize", DynamicInt8))).ExitCode);
        Assert.Equal(0, EngineRun.Run("optimize", "--plan", _run.WritePlan(model, "Digits", _run.OutputDirectory("b"), ("Quantize", DynamicInt8))).ExitCode);

        var manifest = File.ReadAllBytes(Path.Combine(_run.OutputDirectory("a"), "Digits.model.json"));
        Assert.Equal(manifest, File.ReadAllBytes(Path.Combine(_run.OutputDirectory("b"), "Digits.model.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_run.OutputDirectory("a"), "Digits.onnx")), File.ReadAllBytes(Path.Combine(_run.OutputDirectory("b"), "Digits.onnx")));
        Assert.DoesNotContain((byte)'\r', manifest);
        Assert.Equal((byte)'\n', manifest[^1]);
    }

    [ConditionalFact("data")]
    public void Hello_deepa_without_passes_keeps_its_onnx_names()
    {
        var model = SharedModel("hello_deepa.onnx");

        var output = _run.OutputDirectory();
        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", _run.WritePlan(model, "WakeWord", output));
        _output.WriteLine(stdout + stderr);

        Assert.Equal(0, exitCode);
        Assert.Contains("no passes", stdout);
        var manifest = File.ReadAllText(Path.Combine(output, "WakeWord.model.json"));
        using var json = JsonDocument.Parse(manifest);
        Assert.Equal("onnx::Flatten_0", json.RootElement.GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.Contains("\"onnx::Flatten_0\"", manifest); // not \u-escaped
        // Only the always-on clean-up and fusion report anything (hello_deepa has Constant nodes to lift).
        Assert.All(json.RootElement.GetProperty("passes").EnumerateArray(),
            pass => Assert.Contains(pass.GetProperty("pass").GetString(), new[] { "Cleanup", "Fuse" }));
    }

    [Fact]
    public void Malformed_model_is_a_coded_error_at_the_declaration_and_writes_nothing()
    {
        var model = Path.Combine(_run.Directory, "broken.onnx");
        File.WriteAllText(model, "this is not a protobuf model \u0001\u0002\u0003");
        var output = _run.OutputDirectory();

        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", _run.WritePlan(model, "Broken", output, ("Quantize", DynamicInt8)));
        _output.WriteLine(stdout + stderr);

        Assert.NotEqual(0, exitCode);
        Assert.Matches(@"^.*Program\.cs\(12,2\): error OPT11\d\d: Models/broken\.onnx: ", stderr.Trim());
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any());
    }

    [ConditionalFact("data")]
    public void A_failure_removes_the_previous_outputs_of_that_plan()
    {
        var shared = SharedModel("digits_mlp.onnx");

        var model = Path.Combine(_run.Directory, "digits.onnx");
        File.Copy(shared, model);
        var output = _run.OutputDirectory();
        var plan = _run.WritePlan(model, "Digits", output, ("Quantize", DynamicInt8));
        Assert.Equal(0, EngineRun.Run("optimize", "--plan", plan).ExitCode);

        File.WriteAllText(model, "corrupted");
        Assert.NotEqual(0, EngineRun.Run("optimize", "--plan", plan).ExitCode);
        Assert.Empty(Directory.GetFiles(output));
    }

    [ConditionalFact("data")]
    public void Pass_errors_point_at_the_pass_attribute()
    {
        var model = SharedModel("digits_mlp.onnx");

        var (exitCode, _, stderr) = EngineRun.Run("optimize", "--plan",
            _run.WritePlan(model, "Digits", _run.OutputDirectory(),
                ("Quantize", DynamicInt8),
                ("Prune", new Dictionary<string, string> { ["Sparsity"] = "1.5" })));
        _output.WriteLine(stderr);

        // An invalid Prune option: the error points at [Prune] (line 14), not [Quantize] (line 13).
        Assert.NotEqual(0, exitCode);
        Assert.Matches(@"Program\.cs\(14,2\): error OPT12\d\d: ", stderr);
        Assert.False(Directory.Exists(_run.OutputDirectory()) && Directory.EnumerateFileSystemEntries(_run.OutputDirectory()).Any());
    }

    [Theory]
    [InlineData("missing", "OPT1051")]
    [InlineData("{ not json", "OPT1052")]
    [InlineData("{ \"formatVersion\": 1, \"name\": \"X\" }", "OPT1052")]
    [InlineData("{ \"formatVersion\": 99 }", "OPT1053")]
    public void Bad_plans_are_coded_errors(string content, string code)
    {
        var plan = Path.Combine(_run.Directory, "bad.plan.json");
        if (content != "missing")
            File.WriteAllText(plan, content);

        var (exitCode, _, stderr) = EngineRun.Run("optimize", "--plan", plan);

        Assert.Equal(1, exitCode);
        Assert.Contains($"bad.plan.json: error {code}: ", stderr);
    }
}

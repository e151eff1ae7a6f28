using System.Text.Json;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests;

/// <summary>
/// The input ranges the manifest carries for the runtime's out-of-range counter (issue 17), on the
/// digits MLP (pixels 0..1): static INT8 gives its input quantizer's range (the calibration data's
/// 0..1 plus half a quantization step each side), a declared validation set without quantization
/// gives its min/max, and a plan with no data gives none.
/// </summary>
public sealed class InputRangeManifestTests(ITestOutputHelper output) : IDisposable
{
    private readonly EngineRun _run = new();

    public void Dispose() => _run.Dispose();

    [ConditionalFact("data")]
    public void Static_int8_records_the_input_quantizers_range()
    {
        JsonElement range = InputRange(("Quantize", new() { ["Mode"] = "StaticInt8", ["Calibration"] = Copy("digits_train_x_1347x64.f32"), ["CalibrationMethod"] = "MinMax" }))!.Value;

        double step = 1.0 / 255;
        Assert.Equal("quantizer", range.GetProperty("source").GetString());
        Assert.Equal(-step / 2, range.GetProperty("min").GetDouble(), 1e-6);
        Assert.Equal(1 + step / 2, range.GetProperty("max").GetDouble(), 1e-6);
    }

    [ConditionalFact("data")]
    public void Validation_data_without_quantization_records_its_min_and_max()
    {
        JsonElement range = InputRange(("AccuracyBudget", new() { ["MinCosine"] = "0.999", ["Validation"] = Copy("digits_test_x_450x64.f32") }))!.Value;

        Assert.Equal("data", range.GetProperty("source").GetString());
        Assert.Equal(0, range.GetProperty("min").GetDouble());
        Assert.Equal(1, range.GetProperty("max").GetDouble());
    }

    [ConditionalFact("data")]
    public void Without_declared_data_no_range_is_written()
    {
        Assert.Null(InputRange(("Quantize", new() { ["Mode"] = "DynamicInt8" })));
    }

    private string Copy(string file)
    {
        File.Copy(Path.Combine(RepositoryPaths.SharedModels, "..", "digits", file), Path.Combine(_run.Directory, file), overwrite: true);
        return file;
    }

    private JsonElement? InputRange(params (string Pass, Dictionary<string, string> Options)[] passes)
    {
        string outputDirectory = _run.OutputDirectory();
        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", _run.WritePlan(Path.Combine(RepositoryPaths.SharedModels, "digits_mlp.onnx"), "Digits", outputDirectory, passes));
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exitCode);

        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outputDirectory, "Digits.model.json")));
        JsonElement input = Assert.Single(manifest.RootElement.GetProperty("inputs").EnumerateArray());
        Assert.False(manifest.RootElement.GetProperty("outputs")[0].TryGetProperty("range", out _));
        return input.TryGetProperty("range", out JsonElement range) ? range.Clone() : null;
    }
}

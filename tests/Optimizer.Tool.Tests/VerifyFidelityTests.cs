using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Tool.Tests;

/// <summary>
/// <c>onnx-opt verify</c>'s fidelity figures beyond top-1: per-sample cosine min/mean per output,
/// <c>--min-cosine</c> as a budget (OPT1067 naming the cosine), and figures from generated inputs
/// labelled an estimate. Real digits models through the real tool process.
/// </summary>
public sealed class VerifyFidelityTests(ITestOutputHelper output) : IDisposable
{
    private readonly ToolRun _run = new();

    public void Dispose() => _run.Dispose();

    private string Pruned()
    {
        var target = _run.PathOf("cnn.pruned.onnx");
        var result = ToolRun.Tool("optimize", ToolRun.SharedModel("digits_cnn.onnx"), "-o", target, "--pass", "Prune:Sparsity=0.9");
        Assert.True(result.ExitCode == 0, result.ToString());
        return target;
    }

    [ConditionalFact("data")]
    public void Verify_prints_cosine_min_and_mean_and_fails_min_cosine_with_OPT1067_naming_the_cosine()
    {
        var result = ToolRun.Tool("verify", ToolRun.SharedModel("digits_cnn.onnx"), Pruned(),
            "--data", ToolRun.SharedDigits("digits_test_x_450x64.f32"), "--min-cosine", "0.999", "--json");
        output.WriteLine(result.ToString());

        Assert.Equal(1, result.ExitCode);
        var json = result.Json();
        var logits = Assert.Single(json.GetProperty("outputs").EnumerateArray());
        var (min, mean) = (logits.GetProperty("cosineMin").GetDouble(), logits.GetProperty("cosineMean").GetDouble());
        Assert.InRange(min, -1, mean);
        Assert.InRange(mean, min, 1);
        Assert.False(json.GetProperty("withinMinCosine").GetBoolean());
        Assert.False(json.GetProperty("generated").GetBoolean());
        Assert.Contains("error OPT1067: ", result.Stderr);
        Assert.Contains("cosine", result.Stderr);
        Assert.Contains("is below --min-cosine 0.999", result.Stderr);
    }

    [ConditionalFact("data")]
    public void Verify_without_data_labels_its_figures_an_estimate()
    {
        var result = ToolRun.Tool("verify", ToolRun.SharedModel("digits_cnn.onnx"), Pruned());
        output.WriteLine(result.ToString());

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("generated samples", result.Stdout);
        Assert.Contains("— estimate; declare Validation data", result.Stdout);
        Assert.Contains("cosine min", result.Stdout);
    }
}

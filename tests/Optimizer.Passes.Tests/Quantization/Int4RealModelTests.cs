using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>Weight-only INT4 (MatMulNBits) on the digits MLP and hello_deepa, run by ONNX Runtime.</summary>
public sealed class Int4RealModelTests(ITestOutputHelper output)
{
    private static readonly PassRequest Int4 = new("Quantize", new Dictionary<string, string> { ["Mode"] = "Int4" });

    [ConditionalFact("data")]
    public void Digits_mlp_runs_as_MatMulNBits_and_stays_accurate()
    {
        var data = SharedData.Folder;

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "digits_mlp.onnx"));
        var result = PassPipeline.Run(model, [Int4]);
        var (fp32, int4) = (DigitsData.Accuracy(model, data), DigitsData.Accuracy(result.Model, data));
        var (before, after) = (OnnxModelWriter.ToBytes(model).Length, OnnxModelWriter.ToBytes(result.Model).Length);
        output.WriteLine(result.Reports[0].Summary);
        output.WriteLine($"digits_mlp int4: top-1 {fp32:P2} → {int4:P2}; {before} → {after} bytes ({100.0 * after / before:F1}%)");

        Assert.Equal(3, result.Model.Graph.Nodes.Count(n => n.OpType == "MatMulNBits"));
        Assert.True(fp32 - int4 <= 0.02, $"int4 top-1 {int4:P2} vs fp32 {fp32:P2}");
        Assert.True(after <= before * 0.25);
    }

    [ConditionalFact("data")]
    public void Hello_deepa_scores_stay_close()
    {
        var data = SharedData.Folder;

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "hello_deepa.onnx"));
        var result = PassPipeline.Run(model, [Int4]);
        var (worst, mean) = HelloDeepa.ScoreDifferences(model, result.Model);
        var (before, after) = (OnnxModelWriter.ToBytes(model).Length, OnnxModelWriter.ToBytes(result.Model).Length);
        output.WriteLine(result.Reports[0].Summary);
        output.WriteLine($"hello_deepa int4: |Δ score| mean {mean:F4}, max {worst:F4} over 32 inputs; {before} → {after} bytes ({100.0 * after / before:F1}%)");

        // 4-bit weights on the 2400-input first layer move sigmoid scores on its steep part (measured: see the output).
        Assert.True(mean <= 0.05 && worst <= 0.3, $"int4 wake-word scores differ by {mean:F4} on average, up to {worst:F4}");
        Assert.True(after <= before * 0.25);
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Tests.Quantization;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Precision;

/// <summary>Float16 conversion on the digits MLP and hello_deepa, run by ONNX Runtime.</summary>
public sealed class Float16RealModelTests(ITestOutputHelper output)
{
    private static readonly PassRequest Float16 = new("Quantize", new Dictionary<string, string> { ["Mode"] = "Float16" });

    [ConditionalFact("data")]
    public void Digits_mlp_outputs_stay_close()
    {
        var data = SharedData.Folder;

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "digits_mlp.onnx"));
        var result = PassPipeline.Run(model, [Float16]);
        var images = SharedData.ReadFloats(Path.Combine(data, "digits", "digits_test_x_450x64.f32"));
        var name = model.Graph.Inputs[0].Name;
        var expected = Ort.Run(model, (name, images, [450, 1, 8, 8]));
        var actual = Ort.Run(result.Model, (name, images, [450, 1, 8, 8]));
        var maxError = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        var (before, after) = (OnnxModelWriter.ToBytes(model).Length, OnnxModelWriter.ToBytes(result.Model).Length);
        output.WriteLine(result.Reports[0].Summary);
        output.WriteLine($"digits_mlp fp16: max |Δ logit| {maxError:F4} (logits up to {expected.Max(Math.Abs):F1}); top-1 {DigitsData.Accuracy(model, data):P2} → {DigitsData.Accuracy(result.Model, data):P2}; {before} → {after} bytes");

        Assert.Equal(TensorElementType.Float, result.Model.Graph.Inputs[0].Type!.ElementType);
        Assert.True(maxError <= 0.05, $"fp16 logits differ by up to {maxError}");
        Assert.True(after <= before * 0.55);
    }

    [ConditionalFact("data")]
    public void Hello_deepa_keeps_layer_norm_reductions_in_fp32_and_scores_stay_close()
    {
        var data = SharedData.Folder;

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "hello_deepa.onnx"));
        var result = PassPipeline.Run(model, [Float16]);
        var (worst, _) = HelloDeepa.ScoreDifferences(model, result.Model);
        output.WriteLine(result.Reports[0].Summary);
        output.WriteLine($"hello_deepa fp16: max |Δ score| {worst:F5} over 32 inputs; {OnnxModelWriter.ToBytes(model).Length} → {OnnxModelWriter.ToBytes(result.Model).Length} bytes");

        Assert.Contains(result.Reports[0].Skipped, s => s.Reason.Contains("ReduceMean"));
        Assert.True(worst <= 0.01, $"fp16 wake-word score differs by up to {worst}");
    }
}

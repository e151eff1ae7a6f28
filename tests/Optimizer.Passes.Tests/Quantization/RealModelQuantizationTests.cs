using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>Dynamic INT8 on real models from <c>../shared/data/models</c>, checked in ONNX Runtime.</summary>
public sealed class RealModelQuantizationTests(ITestOutputHelper output)
{
    private static readonly PassRequest DynamicInt8 = new("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" });

    [ConditionalFact("data")]
    public void Digits_mlp_keeps_its_accuracy_and_shrinks()
    {
        var data = SharedData.Folder;

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "digits_mlp.onnx"));
        var images = SharedData.ReadFloats(Path.Combine(data, "digits", "digits_test_x_450x64.f32"));
        var labels = File.ReadAllBytes(Path.Combine(data, "digits", "digits_test_y_450.u8"));

        var result = PassPipeline.Run(model, [DynamicInt8]);

        var inputName = model.Graph.Inputs[0].Name;
        var fp32 = Accuracy(Ort.Run(model, (inputName, images, [labels.Length, 1, 8, 8])), labels);
        var int8 = Accuracy(Ort.Run(result.Model, (inputName, images, [labels.Length, 1, 8, 8])), labels);
        var sizeBefore = OnnxModelWriter.ToBytes(model).Length;
        var sizeAfter = OnnxModelWriter.ToBytes(result.Model).Length;
        output.WriteLine(result.Reports[0].Summary);
        output.WriteLine($"digits_mlp: top-1 {fp32:P2} (fp32) → {int8:P2} (int8) on {labels.Length} test images; {sizeBefore} → {sizeAfter} bytes ({100.0 * sizeAfter / sizeBefore:F1}%)");

        Assert.Equal(3, result.Reports[0].Changed.Count);
        Assert.InRange(fp32, 0.970, 0.972);
        Assert.True(fp32 - int8 <= 0.003, $"int8 top-1 {int8:P2} dropped more than 0.3 pp below fp32 {fp32:P2}");
        Assert.True(sizeAfter < sizeBefore * 0.35, $"{sizeAfter} bytes is not much smaller than {sizeBefore}");
    }

    [ConditionalFact("data")]
    public void Hello_deepa_outputs_stay_close_and_the_file_shrinks()
    {
        var data = SharedData.Folder;

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "hello_deepa.onnx"));
        var result = PassPipeline.Run(model, [DynamicInt8]);
        var inputName = model.Graph.Inputs[0].Name;

        var worst = 0.0;
        var total = 0.0;
        var scores = new List<float>();
        var random = new Random(7);
        for (var sample = 0; sample < 32; sample++)
        {
            var features = HelloDeepa.Features(random);
            var expected = Ort.Run(model, (inputName, features, [1, 25, 96]));
            var actual = Ort.Run(result.Model, (inputName, features, [1, 25, 96]));
            worst = Math.Max(worst, Math.Abs(expected[0] - actual[0]));
            total += Math.Abs(expected[0] - actual[0]);
            scores.Add(expected[0]);
        }

        var sizeBefore = OnnxModelWriter.ToBytes(model).Length;
        var sizeAfter = OnnxModelWriter.ToBytes(result.Model).Length;
        output.WriteLine(result.Reports[0].Summary);
        output.WriteLine($"hello_deepa: scores {scores.Min():F3}..{scores.Max():F3}, |Δ score| mean {total / 32:F4}, max {worst:F4} over 32 inputs; {sizeBefore} → {sizeAfter} bytes ({100.0 * sizeAfter / sizeBefore:F1}%)");

        Assert.Equal(3, result.Reports[0].Changed.Count);
        // Measured: mean 0.0019, max 0.0257 (scores spread over 0.001..0.999, so some sit on the steep part of the sigmoid).
        Assert.True(total / 32 <= 0.01, $"quantized wake-word scores differ by {total / 32:F4} on average");
        Assert.True(worst <= 0.05, $"quantized wake-word score differs by up to {worst:F4}");
        Assert.True(sizeAfter < sizeBefore * 0.35, $"{sizeAfter} bytes is not much smaller than {sizeBefore}");
    }

    private static double Accuracy(float[] logits, byte[] labels)
    {
        var classes = logits.Length / labels.Length;
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = logits.AsSpan(i * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            correct += best == labels[i] ? 1 : 0;
        }

        return (double)correct / labels.Length;
    }
}

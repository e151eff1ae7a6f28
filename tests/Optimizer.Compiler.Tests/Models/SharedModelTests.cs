using Optimizer.Compiler.Tests.Support;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// The real models compiled and run by the kernels against ONNX Runtime on the same model.
/// fp32: every logit within rtol 1e-3 + atol 1e-4 (the two sum in different orders; 1e-7
/// absolute is below float rounding of sums of ~100 products) and the same argmax on all 450
/// digits test images. INT8 (QDQ from our static pass, and the dynamic DynamicQuantizeLinear +
/// MatMulInteger form; both run as u8×s8→s32 kernels, the static one requantized
/// with ORT's formula): on this machine the logits equal ORT's QLinearConv/QGemm bit for bit;
/// the bound allows a one-step rounding difference elsewhere (1% of the largest logit) and
/// argmax must agree on at least 449 of 450 images.
/// </summary>
public sealed class SharedModelTests(ITestOutputHelper output)
{
    [ConditionalTheory("data")]
    [InlineData("digits_mlp.onnx")]
    [InlineData("digits_cnn.onnx")]
    [InlineData("digits_cnn_bn_unfused.onnx")]
    public void Digits_fp32_matches_onnx_runtime_on_all_test_images_at_batch_1_and_450(string file)
    {
        var model = SharedModels.Load(file);
        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        output.WriteLine(program.ToText());
        var images = SharedModels.DigitsImages(450);
        var labels = SharedModels.DigitsLabels();
        var expected = SharedModels.RunOrt(model, (model.Graph.Inputs[0].Name, images, [450, 1, 8, 8]))[0];
        using var executor = new KernelExecutor(program);
        var batched = ProgramRunner.Floats(ProgramRunner.Run(executor, [ToBytes(images)], 450)[0]);
        Assert.Null(Tolerance.Compare(expected, batched, 1e-3, 1e-4));

        var single = new float[450 * 10];
        for (var i = 0; i < 450; i++)
        {
            var one = ProgramRunner.Floats(ProgramRunner.Run(executor, [ToBytes(images.AsSpan(i * 64, 64).ToArray())], 1)[0]);
            one.CopyTo(single, i * 10);
        }

        Assert.Null(Tolerance.Compare(expected, single, 1e-3, 1e-4));
        var (ortAccuracy, ourAccuracy) = (Accuracy(expected, labels), Accuracy(batched, labels));
        output.WriteLine($"{file}: top-1 ORT {ortAccuracy:P2}, compiled {ourAccuracy:P2}; isa {KernelDispatch.Current}");
        Assert.Equal(ortAccuracy, ourAccuracy);
        Assert.Equal(ArgMax(expected), ArgMax(batched));
    }

    [ConditionalFact("data")]
    public void Hello_deepa_fp32_matches_onnx_runtime()
    {
        var model = SharedModels.Load("hello_deepa.onnx");
        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        output.WriteLine(program.ToText());
        foreach (var batch in new[] { 1 })
        {
            var inputs = SharedModels.SyntheticInputs(model, batch);
            var expected = SharedModels.RunOrt(model, inputs);
            var actual = ProgramRunner.Run(program, inputs.Select(i => Optimizer.Onnx.OnnxTensor.FromFloats(i.Name, i.Shape, i.Values)).ToArray());
            for (var o = 0; o < expected.Length; o++)
            {
                Assert.Null(Tolerance.Compare(expected[o], ProgramRunner.Floats(actual[o]), 1e-3, 1e-4));
            }
        }
    }

    [ConditionalTheory("data")]
    [InlineData("digits_mlp.onnx#static-int8")]
    [InlineData("digits_cnn.onnx#static-int8")]
    [InlineData("digits_mlp.onnx#dynamic-int8")]
    [InlineData("digits_cnn.onnx#dynamic-int8")]
    public void Digits_int8_agrees_with_onnx_runtime_on_the_same_quantized_model(string key)
    {
        var model = SharedModels.Load(key);
        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        var images = SharedModels.DigitsImages(450);
        var labels = SharedModels.DigitsLabels();
        var expected = SharedModels.RunOrt(model, (model.Graph.Inputs[0].Name, images, [450, 1, 8, 8]))[0];
        using var executor = new KernelExecutor(program);
        var actual = ProgramRunner.Floats(ProgramRunner.Run(executor, [ToBytes(images)], 450)[0]);
        var maxDiff = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        var maxLogit = expected.Max(Math.Abs);
        var (ortArgMax, ourArgMax) = (ArgMax(expected), ArgMax(actual));
        var agree = ortArgMax.Zip(ourArgMax).Count(p => p.First == p.Second);
        output.WriteLine($"{key}: max |logit diff| {maxDiff} (max |logit| {maxLogit}); argmax agrees on {agree}/450; top-1 ORT {Accuracy(expected, labels):P2}, compiled {Accuracy(actual, labels):P2}");
        Assert.True(maxDiff <= 0.01 * maxLogit, $"logits differ by {maxDiff}");
        Assert.True(agree >= 449, $"argmax agrees on {agree}/450 only");
        Assert.Contains(program.Steps, s => s.Kind is StepKind.QGemm or StepKind.MatMulInteger);
        output.WriteLine(program.ToText());
        if (key.EndsWith("#static-int8", StringComparison.Ordinal))
        {
            // Quantized end to end: one QuantizeLinear of the input, no float islands (MaxPool and Flatten run on the bytes).
            Assert.Equal(1, program.Steps.Count(s => s.Kind == StepKind.Quantize));
            Assert.DoesNotContain(program.Steps, s => s.Kind is StepKind.Dequantize or StepKind.Pool or StepKind.Conv or StepKind.Gemm);
        }
    }

    private static byte[] ToBytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    private static int[] ArgMax(float[] logits) =>
        Enumerable.Range(0, logits.Length / 10).Select(i => logits.AsSpan(i * 10, 10).IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(logits.AsSpan(i * 10, 10)))).ToArray();

    private static double Accuracy(float[] logits, byte[] labels) => ArgMax(logits).Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;
}

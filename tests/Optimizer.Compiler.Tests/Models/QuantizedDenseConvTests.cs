using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// A static INT8 Conv whose kernel covers its whole unpadded input (one output pixel, as a squeeze-excite block's convs on
/// their pooled plane) runs as one <see cref="StepKind.QGemm"/> row per image, and its bytes agree with ONNX Runtime's on the
/// same quantized model to one output step (ORT's requantization may round a byte one step apart; a shifted zero point or a
/// wrong row length does not pass).
/// </summary>
public sealed class QuantizedDenseConvTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 16, 1, 1)]
    [InlineData(3, 16, 1, 1)]
    [InlineData(2, 5, 3, 2)] // a 3×2 kernel over a 3×2 image
    public void A_dense_conv_runs_as_one_qgemm_row_per_image(int batch, int channels, int height, int width)
    {
        long[] image = [channels, height, width];
        var quantized = StaticInt8.Quantize(DenseConv(image, outputs: 24), new Passes.Calibration.CalibrationDataSet(
            SmallModels.Values(16 * channels * height * width, 5).Select(v => v * 3).ToArray(), [16, .. image]), "16 random samples");

        var result = KernelCompiler.Compile(quantized);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        output.WriteLine(program.ToText());
        Assert.Equal([StepKind.Quantize, StepKind.QGemm, StepKind.Dequantize], program.Steps.Select(s => s.Kind));

        long[] shape = [batch, .. image];
        var x = SmallModels.Values((int)shape.Aggregate(1L, (a, d) => a * d), 11).Select(v => v * 3).ToArray();
        var expected = SharedModels.RunOrt(quantized, ("x", x, shape))[0];
        var actual = ProgramRunner.Floats(ProgramRunner.Run(program, [OnnxTensor.FromFloats("x", shape, x)])[0]);
        var step = OutputScale(quantized);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"batch {batch}: max |Δ| {worst}, output step {step}, {KernelDispatch.Current}");
        Assert.True(worst <= step * 1.001f, $"the dense quantized conv differs from ONNX Runtime by {worst}, more than one output step {step}");
    }

    /// <summary>The scale of the QuantizeLinear that makes the graph's output bytes.</summary>
    private static float OutputScale(OnnxModel quantized)
    {
        var dequantize = quantized.Graph.FindProducer(quantized.Graph.Outputs[0].Name)!;
        var quantize = quantized.Graph.FindProducer(dequantize.Inputs[0])!;
        return quantized.Graph.FindConstant(quantize.Inputs[1])!.ToFloatArray()[0];
    }

    /// <summary>x <c>[batch (symbolic), ..image]</c> → Conv with the image's own kernel (and a bias) → y <c>[batch, outputs, 1, 1]</c>.</summary>
    private static OnnxModel DenseConv(long[] image, int outputs)
    {
        var graph = new OnnxGraph("dense-conv");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), .. image.Select(Dim.Fixed)])));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, null)));
        var perOutput = (int)image.Aggregate(1L, (a, d) => a * d);
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [outputs, (int)image[0], (int)image[1], (int)image[2]], SmallModels.Values(outputs * perOutput, 7)));
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [outputs], SmallModels.Values(outputs, 8)));
        var conv = new OnnxNode("Conv", ["x", "w", "b"], ["y"], "conv");
        conv.SetAttribute(OnnxAttribute.FromInts("kernel_shape", image[1..]));
        graph.Nodes.Add(conv);
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }
}

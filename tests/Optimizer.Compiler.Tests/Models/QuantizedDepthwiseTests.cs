using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// Static INT8 depthwise convolutions (group = channels) run as <see cref="StepKind.QConvDepthwise"/> on the bytes, with no
/// Dequantize → float Conv → Quantize round trip around them, and the program agrees with ONNX Runtime on the same
/// quantized model (1% of the largest output, as the other QDQ tests).
/// </summary>
public sealed class QuantizedDepthwiseTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Depthwise_convolutions_run_on_the_bytes(int batch)
    {
        var quantized = QuantizedDepthwiseCnn.Quantized();
        Assert.Equal(2, quantized.Graph.Nodes.Count(n => n.OpType == "Conv" && (n.FindAttribute("group")?.Int ?? 1) > 1
            && quantized.Graph.FindProducer(n.Inputs[0])?.OpType == "DequantizeLinear"));

        var result = KernelCompiler.Compile(quantized);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        output.WriteLine(program.ToText());
        var kinds = program.Steps.Select(s => s.Kind).ToList();
        Assert.Equal([StepKind.Quantize, StepKind.QConvDepthwise, StepKind.QConv, StepKind.QConvDepthwise, StepKind.QConv, StepKind.Dequantize], kinds);

        long[] shape = [batch, .. QuantizedDepthwiseCnn.Sample];
        var x = SmallModels.Values((int)shape.Aggregate(1L, (a, d) => a * d), 11).Select(v => v * 4).ToArray();
        var expected = SharedModels.RunOrt(quantized, ("x", x, shape))[0];
        var actual = ProgramRunner.Floats(ProgramRunner.Run(program, [OnnxTensor.FromFloats("x", shape, x)])[0]);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"batch {batch}: max |Δ| {worst} (max |y| {expected.Max(Math.Abs)}), {KernelDispatch.Current}");
        Assert.True(worst <= 0.01 * expected.Max(Math.Abs), $"the compiled depthwise convolutions differ from ONNX Runtime by {worst}");
    }

    [Fact]
    public void A_grouped_convolution_that_is_not_depthwise_keeps_the_float_kernel()
    {
        // Two input channels per group: no integer kernel, so Dequantize → Conv → Quantize, as before.
        var model = QuantizedDepthwiseCnn.Float();
        var w3 = model.Graph.Initializers.Single(t => t.Name == "W3");
        model.Graph.Initializers.Remove(w3);
        model.Graph.Initializers.Add(OnnxTensor.FromFloats("W3", [8, 2, 5, 5], SmallModels.Values(8 * 50, 4)));
        model.Graph.Nodes.Single(n => n.Outputs[0] == "d3").SetAttribute(OnnxAttribute.FromInt("group", 4));
        var quantized = StaticInt8.Quantize(model, new Passes.Calibration.CalibrationDataSet(
            SmallModels.Values(32 * 3 * 11 * 13, 5).Select(v => v * 4).ToArray(), [32, .. QuantizedDepthwiseCnn.Sample]), "32 random samples");

        var result = KernelCompiler.Compile(quantized);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        var kinds = program.Steps.Select(s => s.Kind).ToList();
        Assert.Single(kinds, k => k == StepKind.QConvDepthwise);
        Assert.Contains(StepKind.Conv, kinds);
    }
}

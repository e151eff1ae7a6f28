using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// A static INT8 CNN runs int8 from its input quantize to its output: the DequantizeLinear →
/// LeakyRelu → Max → MaxPool → QuantizeLinear chain between two convolutions becomes one LookupU8,
/// its MaxPool moved ahead of the table into the first convolution (<see cref="Optimizer.Runtime.Compiled.Kernels.QConvPooled"/>:
/// no float step, no pool step between the quantized convolutions), and the program agrees with
/// ONNX Runtime on the same quantized model (1% of the largest output, as the other QDQ tests).
/// </summary>
public sealed class QuantizedChainTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void The_float_round_trip_between_quantized_convolutions_becomes_a_byte_table(int batch)
    {
        var quantized = QuantizedChainCnn.Quantized();
        Assert.Contains(quantized.Graph.Nodes, n => n.OpType == "LeakyRelu" && quantized.Graph.FindProducer(n.Inputs[0])?.OpType == "DequantizeLinear");

        var result = KernelCompiler.Compile(quantized);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        output.WriteLine(program.ToText());
        var kinds = program.Steps.Select(s => s.Kind).ToList();
        Assert.Equal([StepKind.Quantize, StepKind.QConv, StepKind.LookupU8, StepKind.QConv], kinds.Take(4));
        Assert.Equal(Optimizer.Runtime.Compiled.Kernels.QConvPooled, program.Steps[1].Ints[^1].Constant);
        Assert.DoesNotContain(StepKind.MaxPoolU8, kinds);
        Assert.DoesNotContain(StepKind.Binary, kinds);
        Assert.DoesNotContain(StepKind.Pool, kinds);
        Assert.Single(kinds, k => k == StepKind.Quantize);

        long[] shape = [batch, .. QuantizedChainCnn.Sample];
        var x = SmallModels.Values((int)shape.Aggregate(1L, (a, d) => a * d), 11);
        var expected = SharedModels.RunOrt(quantized, ("x", x, shape))[0];
        var actual = ProgramRunner.Floats(ProgramRunner.Run(program, [OnnxTensor.FromFloats("x", shape, x)])[0]);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"batch {batch}: max |Δ| {worst} (max |y| {expected.Max(Math.Abs)}), {KernelDispatch.Current}");
        Assert.True(worst <= 0.01 * expected.Max(Math.Abs), $"the compiled chain differs from ONNX Runtime by {worst}");
    }
}

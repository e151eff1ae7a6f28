using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// A static INT8 hard-swish between quantized convolutions (x · Clip(x + 3, 0, 6) / 6 with a Q → DQ
/// pair after each op, x read twice) is a function of the first convolution's bytes: it runs as one
/// LookupU8, with no float step between the convolutions, and the program agrees with ONNX Runtime
/// on the same quantized model (1% of the largest output, as the other QDQ tests).
/// </summary>
public sealed class QuantizedFunctionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void A_hard_swish_between_quantized_convolutions_becomes_a_byte_table(int batch)
    {
        var quantized = QuantizedHardSwishCnn.Quantized();
        Assert.Contains(quantized.Graph.Nodes, n => n.OpType == "Mul" && n.Inputs.All(i => quantized.Graph.FindProducer(i)?.OpType == "DequantizeLinear"));

        var result = KernelCompiler.Compile(quantized);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        output.WriteLine(program.ToText());
        var kinds = program.Steps.Select(s => s.Kind).ToList();
        Assert.Equal([StepKind.Quantize, StepKind.QConv, StepKind.LookupU8, StepKind.QConv], kinds.Take(4));
        Assert.DoesNotContain(StepKind.Binary, kinds);
        Assert.Single(kinds, k => k == StepKind.Quantize);

        long[] shape = [batch, .. QuantizedHardSwishCnn.Sample];
        var x = SmallModels.Values((int)shape.Aggregate(1L, (a, d) => a * d), 11).Select(v => v * 4).ToArray();
        var expected = SharedModels.RunOrt(quantized, ("x", x, shape))[0];
        var actual = ProgramRunner.Floats(ProgramRunner.Run(program, [OnnxTensor.FromFloats("x", shape, x)])[0]);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"batch {batch}: max |Δ| {worst} (max |y| {expected.Max(Math.Abs)}), {KernelDispatch.Current}");
        Assert.True(worst <= 0.01 * expected.Max(Math.Abs), $"the compiled function differs from ONNX Runtime by {worst}");
    }

    [Fact]
    public void A_value_read_outside_the_function_keeps_its_steps()
    {
        // y2 reads the Add's output too: the Add cannot disappear into a table, so the hard-swish is not fused.
        var model = QuantizedHardSwishCnn.Quantized();
        var add = model.Graph.Nodes.Single(n => n.OpType == "Add");
        model.Graph.Outputs.Add(new ValueInfo(add.Outputs[0], ValueTypeInfo.Tensor(TensorElementType.Float,
            [Dim.Named("batch"), Dim.Fixed(12), Dim.Fixed(7), Dim.Fixed(9)])));

        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        Assert.Contains(StepKind.Binary, program.Steps.Select(s => s.Kind));
    }
}

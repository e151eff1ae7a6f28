using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>
/// The one-pass Erf/GELU kernel at lengths around its vector widths (a 512-bit or 256-bit body and a
/// scalar tail): ONNX Runtime's values within 1e-6, and the same bits whichever part computed an element.
/// </summary>
public sealed class ErfKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(33)]
    public void Erf_and_gelu_match_onnx_runtime_at_every_tail_length(int count)
    {
        var graph = new OnnxGraph("erf");
        graph.DeclaredInputs.Add(SmallModels.Tensor("x", Dim.Fixed(count)));
        graph.Nodes.Add(new OnnxNode("Erf", ["x"], ["e"], "erf"));
        graph.Nodes.Add(new OnnxNode("Gelu", ["x"], ["g"], "gelu"));
        graph.Outputs.Add(SmallModels.Tensor("e", Dim.Fixed(count)));
        graph.Outputs.Add(SmallModels.Tensor("g", Dim.Fixed(count)));
        var model = new OnnxModel(graph, [new OpsetImport("", 20)]) { IrVersion = 9 };
        var inputs = new[] { OnnxTensor.FromFloats("x", [count], SmallModels.Values(count, seed: count).Select(v => v * 5).ToArray()) };

        OrtComparison.AssertSameAsOrt(model, inputs, atol: 1e-6).Dispose();
    }

    [Fact]
    public void An_element_gets_the_same_bits_in_the_vector_body_and_in_the_tail()
    {
        var x = SmallModels.Values(33, seed: 9).Select(v => v * 5).ToArray();
        foreach (var op in new[] { Runtime.Compiled.Kernels.ActivationOp.Erf, Runtime.Compiled.Kernels.ActivationOp.Gelu })
        {
            var whole = new float[33];
            Runtime.Compiled.Kernels.Activation(x, whole, (int)op, 33, 0f, 0f);
            for (var i = 0; i < 33; i++)
            {
                var single = new float[1];
                Runtime.Compiled.Kernels.Activation(x.AsSpan(i, 1), single, (int)op, 1, 0f, 0f);
                Assert.Equal(BitConverter.SingleToInt32Bits(whole[i]), BitConverter.SingleToInt32Bits(single[0]));
            }
        }
    }
}

using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// A Conv whose kernel covers its whole unpadded input (one output pixel: a fully connected layer) compiles to one Gemm
/// against its weights packed transposed, its Relu fused, and matches ONNX Runtime: 2-D and 1-D, with and without a bias,
/// at batches 1–5 over a symbolic batch; a kernel smaller than its input, or a padded one, keeps the Conv kernel.
/// </summary>
public sealed class DenseConvTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(3, false)]
    [InlineData(5, true)]
    public void A_conv_over_its_whole_input_runs_as_one_gemm(int batch, bool withBias)
    {
        var model = ConvRelu([8, 3, 5], kernel: [3, 5], channels: 21, withBias, pads: [0, 0, 0, 0]);

        using var program = OrtComparison.AssertSameAsOrt(model, [Input(batch, [8, 3, 5])]);

        Assert.Equal([StepKind.Gemm], program.Steps.Select(s => s.Kind));
        // The packed weights are read from the model's initializer, not stored as a second copy in the program.
        Assert.Single(program.References, r => r.Initializer == "w" && r.Transform == WeightTransform.PackB);
    }

    [Fact]
    public void A_one_d_conv_over_its_whole_input_runs_as_one_gemm()
    {
        var model = ConvRelu([6, 7], kernel: [7], channels: 40, withBias: true, pads: [0, 0]);

        using var program = OrtComparison.AssertSameAsOrt(model, [Input(2, [6, 7])]);

        Assert.Equal([StepKind.Gemm], program.Steps.Select(s => s.Kind));
    }

    [Theory]
    [InlineData(new long[] { 2, 5 }, new long[] { 0, 0, 0, 0 })] // a kernel smaller than the input
    [InlineData(new long[] { 3, 5 }, new long[] { 1, 0, 1, 0 })] // padded: three output rows
    public void Other_convs_keep_the_conv_kernel(long[] kernel, long[] pads)
    {
        var model = ConvRelu([8, 3, 5], kernel, channels: 21, withBias: true, pads);

        using var program = OrtComparison.AssertSameAsOrt(model, [Input(2, [8, 3, 5])]);

        Assert.Contains(StepKind.Conv, program.Steps.Select(s => s.Kind));
    }

    private static OnnxTensor Input(int batch, int[] image)
    {
        var count = batch * image.Aggregate(1, (a, b) => a * b);
        return OnnxTensor.FromFloats("x", [batch, .. image], Enumerable.Range(0, count).Select(i => MathF.Sin(i * 0.37f) + 0.2f * MathF.Cos(i * 1.3f)).ToArray());
    }

    /// <summary>x <c>[batch (symbolic), ..image]</c> → Conv → Relu → y.</summary>
    private static OnnxModel ConvRelu(int[] image, long[] kernel, int channels, bool withBias, long[] pads)
    {
        var graph = new OnnxGraph("dense-conv");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), .. image.Select(d => Dim.Fixed(d))])));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, null)));
        var random = new Random(channels * 10 + kernel.Length);
        var weightCount = channels * image[0] * (int)kernel.Aggregate(1L, (a, b) => a * b);
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [channels, image[0], .. kernel.Select(k => (int)k)],
            Enumerable.Range(0, weightCount).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()));
        string[] inputs = withBias ? ["x", "w", "b"] : ["x", "w"];
        if (withBias)
        {
            graph.Initializers.Add(OnnxTensor.FromFloats("b", [channels], Enumerable.Range(0, channels).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()));
        }

        var conv = new OnnxNode("Conv", inputs, ["z"], "conv");
        conv.SetAttribute(OnnxAttribute.FromInts("kernel_shape", kernel));
        conv.SetAttribute(OnnxAttribute.FromInts("pads", pads));
        graph.Nodes.Add(conv);
        graph.Nodes.Add(new OnnxNode("Relu", ["z"], ["y"], "relu"));
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }
}

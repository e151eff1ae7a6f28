using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// A one-channel strided 1-D Conv with a long kernel (an STFT exported as a Conv) compiles to frames × weightsᵀ: a
/// strided copy, a Gemm, and a transpose to NCHW unless the Conv's only reader transposes back to frames × channels.
/// The packed weights are a reference to the model's initializer (no second copy). Each model matches ONNX Runtime: with a bias, at batch 2 over a symbolic signal length (two lengths from one program),
/// with the spectrogram's own Unsqueeze + Transpose reader, and a short kernel (a CNN's first layer) keeps the Conv kernel.
/// </summary>
public sealed class FramedConvTests
{
    [Theory]
    [InlineData(2, 300)]
    [InlineData(1, 64)] // one frame
    [InlineData(3, 1000)]
    public void A_one_channel_long_kernel_conv_runs_as_frames_times_weights(int batch, int length)
    {
        var model = StftConv(kernel: 64, channels: 20, withBias: true, transposedReader: false);

        using var program = OrtComparison.AssertSameAsOrt(model, [Signal(batch, length)]);

        Assert.Equal([StepKind.CopyStrided, StepKind.Gemm, StepKind.Transpose], program.Steps.Select(s => s.Kind));
        // The packed weights are read from the model's initializer, not stored as a second copy in the program.
        Assert.Single(program.References, r => r.Initializer == "w" && r.Transform == WeightTransform.PackB);
    }

    [Fact]
    public void The_spectrograms_transpose_back_to_frames_is_the_product_itself()
    {
        var model = StftConv(kernel: 128, channels: 33, withBias: false, transposedReader: true);

        using var program = OrtComparison.AssertSameAsOrt(model, [Signal(2, 700)]);

        Assert.Equal([StepKind.CopyStrided, StepKind.Gemm], program.Steps.Select(s => s.Kind));
    }

    [Fact]
    public void A_short_kernel_keeps_the_conv_kernel()
    {
        var model = StftConv(kernel: 9, channels: 20, withBias: true, transposedReader: false);

        using var program = OrtComparison.AssertSameAsOrt(model, [Signal(2, 300)]);

        Assert.Contains(StepKind.Conv, program.Steps.Select(s => s.Kind));
    }

    private static OnnxTensor Signal(int batch, int length) =>
        OnnxTensor.FromFloats("x", [batch, 1, length], Enumerable.Range(0, batch * length).Select(i => MathF.Sin(i * 0.071f) + 0.3f * MathF.Cos(i * 0.53f)).ToArray());

    /// <summary>x <c>[batch, 1, length]</c> (both symbolic) → Conv (stride kernel / 4, no padding) → y, or → Unsqueeze(1) → Transpose [0, 1, 3, 2] → y.</summary>
    private static OnnxModel StftConv(int kernel, int channels, bool withBias, bool transposedReader)
    {
        var graph = new OnnxGraph("stft-conv");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(1), Dim.Named("samples")])));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, null)));
        var random = new Random(kernel * 100 + channels);
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [channels, 1, kernel], Enumerable.Range(0, channels * kernel).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()));
        string[] inputs = withBias ? ["x", "w", "b"] : ["x", "w"];
        if (withBias)
        {
            graph.Initializers.Add(OnnxTensor.FromFloats("b", [channels], Enumerable.Range(0, channels).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()));
        }

        var conv = new OnnxNode("Conv", inputs, [transposedReader ? "spectrum" : "y"], "conv");
        conv.SetAttribute(OnnxAttribute.FromInts("kernel_shape", [kernel]));
        conv.SetAttribute(OnnxAttribute.FromInts("strides", [kernel / 4]));
        graph.Nodes.Add(conv);
        if (transposedReader)
        {
            graph.Initializers.Add(OnnxTensor.FromInt64s("axes", [1], [1]));
            graph.Nodes.Add(new OnnxNode("Unsqueeze", ["spectrum", "axes"], ["unsqueezed"], "unsqueeze"));
            var transpose = new OnnxNode("Transpose", ["unsqueezed"], ["y"], "transpose");
            transpose.SetAttribute(OnnxAttribute.FromInts("perm", [0, 1, 3, 2]));
            graph.Nodes.Add(transpose);
        }

        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }
}

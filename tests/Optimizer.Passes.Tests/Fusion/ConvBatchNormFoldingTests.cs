using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using static Optimizer.Passes.Tests.Cleanup.TinyGraphs;

namespace Optimizer.Passes.Tests.Fusion;

public sealed class ConvBatchNormFoldingTests
{
    /// <summary>x [1,2,5,5] → Conv(3 filters 3×3, pad 1) → BN(epsilon) → Relu → y.</summary>
    private static OnnxGraph ConvBnRelu(float epsilon = 1e-3f, bool withBias = true)
    {
        var graph = Graph("x", [1, 2, 5, 5], "y");
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [3, 2, 3, 3], GraphBuilder.Values(54, 11)));
        if (withBias) graph.Initializers.Add(OnnxTensor.FromFloats("b", [3], [0.1f, -0.2f, 0.3f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("gamma", [3], [1.5f, 0.5f, -2f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("beta", [3], [0.1f, 0f, -0.2f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("mean", [3], [0.05f, -0.3f, 0.1f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("var", [3], [1.2f, 0.01f, 0.7f]));
        graph.Nodes.Add(Node("Conv", withBias ? ["x", "w", "b"] : ["x", "w"], ["c"], OnnxAttribute.FromInts("pads", [1, 1, 1, 1])));
        graph.Nodes.Add(Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["n"], OnnxAttribute.FromFloat("epsilon", epsilon)));
        graph.Nodes.Add(Node("Relu", ["n"], ["y"]));
        return graph;
    }

    [Theory]
    [InlineData(1e-3f, true)]
    [InlineData(0.5f, false)]
    public void Folds_into_the_conv_and_leaves_conv_then_relu(float epsilon, bool withBias)
    {
        var result = RunAndCompare(Model(ConvBnRelu(epsilon, withBias)));

        Assert.Equal(["Conv", "Relu"], Ops(result.Model));
        var conv = result.Model.Graph.Nodes[0];
        Assert.Equal("n", conv.Outputs[0]);
        Assert.Equal("w", conv.Inputs[1]);
        Assert.Equal(3, result.Model.Graph.FindInitializer(conv.Inputs[2])!.ElementCount);
        Assert.Equal(new[] { "w", conv.Inputs[2] }.Order(), result.Model.Graph.Initializers.Select(t => t.Name).Order());
        var report = Report(result, "Fuse");
        Assert.Contains("1 Conv+BatchNormalization folded", report.Summary);
        Assert.Contains("1 Conv/Gemm+Relu/Clip pairs adjacent", report.Summary);
    }

    [Fact]
    public void Is_skipped_when_the_conv_output_has_another_reader()
    {
        var graph = ConvBnRelu();
        graph.Outputs.Add(new ValueInfo("c", ValueTypeInfo.Tensor(TensorElementType.Float, null)));

        var result = RunAndCompare(Model(graph));

        Assert.Contains("BatchNormalization", Ops(result.Model));
        Assert.Contains(Report(result, "Fuse").Skipped, s => s.Reason.Contains("c is also a graph output"));
    }

    [Fact]
    public void Is_skipped_when_a_statistic_is_not_constant()
    {
        var graph = ConvBnRelu();
        graph.Initializers.RemoveAll(t => t.Name == "mean");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("mean", Dim.Fixed(3)));

        var result = PassPipeline.Run(Model(graph), []);

        Assert.Contains("BatchNormalization", Ops(result.Model));
        Assert.Contains(Report(result, "Fuse").Skipped, s => s.Reason.Contains("mean is not a constant"));
    }

    [Fact]
    public void A_weight_shared_with_another_conv_is_copied_not_changed()
    {
        var graph = ConvBnRelu();
        graph.Outputs.Add(new ValueInfo("other", ValueTypeInfo.Tensor(TensorElementType.Float, null)));
        graph.Nodes.Add(Node("Conv", ["x", "w"], ["other"], OnnxAttribute.FromInts("pads", [1, 1, 1, 1])));

        var result = RunAndCompare(Model(graph));

        var convs = result.Model.Graph.Nodes.Where(n => n.OpType == "Conv").ToArray();
        Assert.Equal("w_bn_folded", convs[0].Inputs[1]);
        Assert.Equal("w", convs[1].Inputs[1]);
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using static Optimizer.Passes.Tests.Cleanup.TinyGraphs;

namespace Optimizer.Passes.Tests.Fusion;

public sealed class MatMulAddToGemmTests
{
    private static OnnxGraph MatMulAdd(long[] inputDims, long[] biasDims)
    {
        var graph = Graph("x", inputDims, "y");
        graph.Initializers.Add(OnnxTensor.FromFloats("W", [4, 3], GraphBuilder.Values(12, 3)));
        graph.Initializers.Add(OnnxTensor.FromFloats("bias", biasDims, GraphBuilder.Values((int)biasDims.Aggregate(1L, (a, b) => a * b), 4)));
        graph.Nodes.Add(new OnnxNode("MatMul", ["x", "W"], ["m"], "fc"));
        graph.Nodes.Add(Node("Add", ["m", "bias"], ["a"]));
        graph.Nodes.Add(Node("Relu", ["a"], ["y"]));
        return graph;
    }

    [Theory]
    [InlineData(new long[] { 3 })]
    [InlineData(new long[] { 1, 3 })]
    public void A_2d_matmul_plus_a_row_bias_becomes_gemm(long[] biasDims)
    {
        var result = RunAndCompare(Model(MatMulAdd([5, 4], biasDims)));

        Assert.Equal(["Gemm", "Relu"], Ops(result.Model));
        var gemm = result.Model.Graph.Nodes[0];
        Assert.Equal(["x", "W", "bias"], gemm.Inputs);
        Assert.Equal(["a"], gemm.Outputs);
        Assert.Equal("fc", gemm.Name);
        Assert.Contains("1 MatMul+Add → Gemm", Report(result, "Fuse").Summary);
    }

    [Fact]
    public void A_3d_input_is_left_and_reported()
    {
        var result = RunAndCompare(Model(MatMulAdd([2, 5, 4], [3])));

        Assert.Equal(["MatMul", "Add", "Relu"], Ops(result.Model));
        Assert.Contains(Report(result, "Fuse").Skipped, s => s.Node == "fc" && s.Reason.Contains("2-D"));
    }

    [Fact]
    public void A_bias_that_does_not_broadcast_along_the_last_axis_is_left()
    {
        var result = RunAndCompare(Model(MatMulAdd([5, 4], [5, 3])));

        Assert.Contains("MatMul", Ops(result.Model));
        Assert.Contains(Report(result, "Fuse").Skipped, s => s.Reason.Contains("[5,3] is not [3] or [1,3]"));
    }

    [Fact]
    public void Fuse_and_Cleanup_can_be_requested_and_refuse_unknown_options()
    {
        var model = Model(MatMulAdd([5, 4], [3]));

        var result = PassPipeline.Run(model, [new PassRequest("Fuse", new Dictionary<string, string>()), new PassRequest("Cleanup", new Dictionary<string, string>())]);
        var error = Assert.Throws<PassException>(() => PassPipeline.Run(model, [new PassRequest("Fuse", new Dictionary<string, string> { ["Level"] = "2" })]));

        Assert.Equal(["Cleanup", "Fuse"], result.Reports.Select(r => r.Pass));
        Assert.Equal(PassErrorCodes.InvalidOption, error.Code);
        Assert.Contains("It takes no options", error.Message);
    }
}

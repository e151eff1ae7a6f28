using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Precision;

public sealed class Float16ConversionTests
{
    /// <summary>y = Exp(x · W): MatMul in fp16, Exp kept in fp32 by default.</summary>
    private static OnnxModel MatMulExp()
    {
        var model = GraphBuilder.MatMul(8, 4);
        model.Graph.Nodes[0].Outputs[0] = "h";
        model.Graph.Nodes.Add(new OnnxNode("Exp", ["h"], ["y"], "exp"));
        return model;
    }

    [Fact]
    public void Weights_become_fp16_edges_stay_fp32_and_exp_is_kept()
    {
        var result = PassPipeline.Run(MatMulExp(), [new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "Float16" })]);

        var graph = result.Model.Graph;
        Assert.Equal(TensorElementType.Float16, graph.FindInitializer("W")!.ElementType);
        Assert.Equal(2, graph.Nodes.Count(n => n.OpType == "Cast"));
        Assert.Contains(result.Reports[0].Skipped, s => s.Node == "exp");
        var x = GraphBuilder.Values(3 * 8, 2);
        var expected = Ort.Run(MatMulExp(), ("x", x, [3, 8]));
        var actual = Ort.Run(result.Model, ("x", x, [3, 8]));
        Assert.True(expected.Zip(actual, (e, a) => Math.Abs(e - a) / Math.Max(1, Math.Abs(e))).Max() < 0.01);
    }

    [Fact]
    public void KeepFp32_by_node_name_keeps_that_node()
    {
        var request = new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "Float16", ["KeepFp32"] = "matmul" });
        var result = PassPipeline.Run(MatMulExp(), [request]);

        Assert.Equal(TensorElementType.Float, result.Model.Graph.FindInitializer("W")!.ElementType);
        Assert.Contains(result.Reports[0].Skipped, s => s.Node == "matmul");
        Assert.Contains(result.Reports[0].Changed, c => c.Node == "exp");
    }
}

using Optimizer.Onnx;
using static Optimizer.Passes.Tests.Cleanup.TinyGraphs;

namespace Optimizer.Passes.Tests.Cleanup;

public sealed class NoOpEliminationTests
{
    [Fact]
    public void Identity_dropout_same_type_cast_and_same_shape_reshape_go()
    {
        var graph = Graph("x", [2, 3], "y");
        graph.Initializers.Add(OnnxTensor.FromInt64s("same", [2], [2, 3]));
        graph.Nodes.Add(Node("Relu", ["x"], ["r"]));
        graph.Nodes.Add(Node("Identity", ["r"], ["i"]));
        graph.Nodes.Add(Node("Dropout", ["i"], ["d", "mask"]));
        graph.Nodes.Add(Node("Cast", ["d"], ["c"], OnnxAttribute.FromInt("to", (long)TensorElementType.Float)));
        graph.Nodes.Add(Node("Reshape", ["c", "same"], ["s"]));
        graph.Nodes.Add(Node("Sigmoid", ["s"], ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Relu", "Sigmoid"], Ops(result.Model));
        Assert.Equal(4, Report(result, "Cleanup").Changed.Count(c => c.Detail.Contains("removed (")));
    }

    [Fact]
    public void An_identity_writing_a_graph_output_keeps_the_output_name()
    {
        var graph = Graph("x", [2, 3], "y");
        graph.Nodes.Add(Node("Relu", ["x"], ["r"]));
        graph.Nodes.Add(Node("Identity", ["r"], ["y"]));

        var result = RunAndCompare(Model(graph));

        var relu = Assert.Single(result.Model.Graph.Nodes);
        Assert.Equal(["y"], relu.Outputs);
        Assert.Equal("y", result.Model.Graph.Outputs[0].Name);
    }

    [Fact]
    public void An_identity_mirroring_a_graph_input_stays_and_says_why()
    {
        var graph = Graph("x", [2, 3], "y");
        graph.Nodes.Add(Node("Identity", ["x"], ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Identity"], Ops(result.Model));
        Assert.Contains(Report(result, "Cleanup").Skipped, s => s.Reason.Contains("graph input"));
    }

    [Fact]
    public void Dropout_whose_mask_is_used_and_a_real_cast_stay()
    {
        var graph = Graph("x", [2, 3], "y");
        graph.Outputs.Add(new ValueInfo("mask", ValueTypeInfo.Tensor(TensorElementType.Bool, null)));
        graph.Nodes.Add(Node("Dropout", ["x"], ["d", "mask"]));
        graph.Nodes.Add(Node("Cast", ["d"], ["c"], OnnxAttribute.FromInt("to", (long)TensorElementType.Double)));
        graph.Nodes.Add(Node("Cast", ["c"], ["y"], OnnxAttribute.FromInt("to", (long)TensorElementType.Float)));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Dropout", "Cast", "Cast"], Ops(result.Model));
        Assert.Contains(Report(result, "Cleanup").Skipped, s => s.Reason.Contains("mask output is used"));
    }
}

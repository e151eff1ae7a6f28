using Optimizer.Onnx;
using static Optimizer.Passes.Tests.Cleanup.TinyGraphs;

namespace Optimizer.Passes.Tests.Cleanup;

public sealed class ConstantFoldingTests
{
    [Fact]
    public void Constant_nodes_become_initializers()
    {
        var graph = Graph("x", [2, 3], "y");
        graph.Nodes.Add(Constant("c", OnnxTensor.FromFloats("", [3], [1f, 2f, 3f])));
        graph.Nodes.Add(Node("Add", ["x", "c"], ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Add"], Ops(result.Model));
        Assert.Equal([1f, 2f, 3f], result.Model.Graph.FindInitializer("c")!.ToFloatArray());
        Assert.Contains(Report(result, "Cleanup").Changed, c => c.Detail.Contains("Constant → initializer c"));
    }

    [Fact]
    public void A_shape_computation_on_a_static_input_folds_into_the_reshape_target()
    {
        // y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): the usual exported flatten.
        var graph = Graph("x", [2, 3, 4], "y");
        graph.Nodes.Add(Node("Shape", ["x"], ["s"]));
        graph.Nodes.Add(Constant("zero", OnnxTensor.FromInt64s("", [], [0])));
        graph.Nodes.Add(Node("Gather", ["s", "zero"], ["d0"], OnnxAttribute.FromInt("axis", 0)));
        graph.Nodes.Add(Constant("axes", OnnxTensor.FromInt64s("", [1], [0])));
        graph.Nodes.Add(Node("Unsqueeze", ["d0", "axes"], ["u"]));
        graph.Nodes.Add(Constant("rest", OnnxTensor.FromInt64s("", [1], [-1])));
        graph.Nodes.Add(Node("Concat", ["u", "rest"], ["target"], OnnxAttribute.FromInt("axis", 0)));
        graph.Nodes.Add(Node("Reshape", ["x", "target"], ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Reshape"], Ops(result.Model));
        Assert.Equal([2L, -1L], result.Model.Graph.FindInitializer("target")!.ToInt64Array());
        Assert.Single(result.Model.Graph.Initializers);
    }

    [Fact]
    public void Arithmetic_cast_transpose_slice_range_and_small_generators_fold_to_what_ort_computes()
    {
        var graph = Graph("x", [3, 2], "y");
        graph.Initializers.Add(OnnxTensor.FromFloats("a", [2, 3], [1f, -2f, 3.5f, 0.1f, 7f, -0.3f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [3], [0.5f, 3f, -1.5f]));
        graph.Nodes.Add(Node("Mul", ["a", "b"], ["ab"]));
        graph.Nodes.Add(Node("Sub", ["ab", "b"], ["abs"]));
        graph.Nodes.Add(Node("Div", ["abs", "b"], ["abd"]));
        graph.Nodes.Add(Node("Transpose", ["abd"], ["t"], OnnxAttribute.FromInts("perm", [1, 0])));
        graph.Nodes.Add(Node("Cast", ["t"], ["ti"], OnnxAttribute.FromInt("to", (long)TensorElementType.Int64)));
        graph.Nodes.Add(Node("Cast", ["ti"], ["tf"], OnnxAttribute.FromInt("to", (long)TensorElementType.Float)));
        graph.Initializers.Add(OnnxTensor.FromInt64s("starts", [1], [1]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("ends", [1], [long.MaxValue]));
        graph.Nodes.Add(Node("Slice", ["t", "starts", "ends"], ["sl"]));
        graph.Initializers.Add(OnnxTensor.FromFloats("r0", [], [0f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("r1", [], [1.5f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("rd", [], [0.25f]));
        graph.Nodes.Add(Node("Range", ["r0", "r1", "rd"], ["range"]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("shape32", [2], [3, 2]));
        graph.Nodes.Add(Node("ConstantOfShape", ["shape32"], ["ones"], OnnxAttribute.FromTensor("value", OnnxTensor.FromFloats("", [1], [1f]))));
        graph.Nodes.Add(Node("Add", ["x", "t"], ["p"]));
        graph.Nodes.Add(Node("Add", ["p", "tf"], ["q"]));
        graph.Nodes.Add(Node("Add", ["q", "ones"], ["q2"]));
        graph.Nodes.Add(Node("ReduceSum", ["sl"], ["slsum"], OnnxAttribute.FromInt("keepdims", 0)));
        graph.Nodes.Add(Node("Add", ["q2", "slsum"], ["q3"]));
        graph.Nodes.Add(Node("ReduceSum", ["range"], ["rsum"], OnnxAttribute.FromInt("keepdims", 0)));
        graph.Nodes.Add(Node("Add", ["q3", "rsum"], ["y"]));

        var result = RunAndCompare(Model(graph));

        var report = Report(result, "Cleanup");
        foreach (var op in new[] { "Mul", "Sub", "Div", "Transpose", "Cast", "Slice", "Range", "ConstantOfShape" })
        {
            Assert.Contains(report.Changed, c => c.Detail.StartsWith($"{op} folded", StringComparison.Ordinal));
        }

        Assert.Contains(report.Skipped, s => s.Reason.Contains("ReduceSum has constant inputs but no folding rule"));
        Assert.DoesNotContain("Mul", Ops(result.Model));
    }

    [Fact]
    public void Large_results_are_not_folded_and_the_reason_is_reported()
    {
        var graph = Graph("x", [1], "y");
        graph.Initializers.Add(OnnxTensor.FromInt64s("big", [2], [2000, 1000]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("mid", [1], [5000]));
        graph.Nodes.Add(Node("ConstantOfShape", ["big"], ["zeros"]));
        graph.Nodes.Add(Node("ConstantOfShape", ["mid"], ["zeros2"]));
        graph.Nodes.Add(Node("ReduceSum", ["zeros"], ["s1"], OnnxAttribute.FromInt("keepdims", 0)));
        graph.Nodes.Add(Node("ReduceSum", ["zeros2"], ["s2"], OnnxAttribute.FromInt("keepdims", 0)));
        graph.Nodes.Add(Node("Add", ["x", "s1"], ["p"]));
        graph.Nodes.Add(Node("Add", ["p", "s2"], ["y"]));

        var result = RunAndCompare(Model(graph));

        var skipped = Report(result, "Cleanup").Skipped;
        Assert.Contains(skipped, s => s.Node == "zeros_node" && s.Reason.Contains("2,000,000 elements"));
        Assert.Contains(skipped, s => s.Node == "zeros2_node" && s.Reason.Contains("kept as the compact node"));
        Assert.Equal(2, Ops(result.Model).Count(o => o == "ConstantOfShape"));
    }

    [Fact]
    public void A_node_writing_a_graph_output_is_not_folded()
    {
        var graph = Graph("x", [2], "y");
        graph.Outputs.Add(new ValueInfo("k", ValueTypeInfo.Tensor(TensorElementType.Float, null)));
        graph.Initializers.Add(OnnxTensor.FromFloats("a", [2], [1f, 2f]));
        graph.Nodes.Add(Node("Mul", ["a", "a"], ["k"]));
        graph.Nodes.Add(Node("Add", ["x", "k"], ["y"]));

        var result = RunAndCompare(Model(graph));

        Assert.Equal(["Mul", "Add"], Ops(result.Model));
        Assert.Contains(Report(result, "Cleanup").Skipped, s => s.Reason.Contains("graph output"));
    }
}

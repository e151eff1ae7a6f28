using Optimizer.Onnx.Protobuf;
using Optimizer.Onnx.Tests.Support;

namespace Optimizer.Onnx.Tests;

public sealed class GraphIrTests
{
    [Fact]
    public void Load_exposes_real_inputs_outputs_types_and_symbolic_dims()
    {
        var model = OnnxModelLoader.Load(TestModels.LinearRelu().Bytes(), null);

        var input = Assert.Single(model.Graph.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal(ValueKind.Tensor, input.Type!.Kind);
        Assert.Equal(TensorElementType.Float, input.Type.ElementType);
        Assert.Equal([Dim.Named("batch"), Dim.Fixed(4)], input.Type.Shape!);
        Assert.Equal("y", Assert.Single(model.Graph.Outputs).Name);
        Assert.Equal(13, model.GetOpsetVersion(""));
    }

    [Fact]
    public void Initializers_listed_as_inputs_are_not_real_inputs()
    {
        var proto = TestModels.LinearRelu();
        proto.Graph.Input.Add(TestModels.TensorValue("W", TensorElementType.Float, 4, 3));

        var model = OnnxModelLoader.Load(proto.Bytes(), null);

        Assert.Equal(["x"], model.Graph.Inputs.Select(i => i.Name));
        Assert.Equal(2, model.Graph.DeclaredInputs.Count);
        Assert.Null(model.Graph.FindConstant("W")); // overridable by the caller, so not constant
    }

    [Fact]
    public void Unknown_rank_and_unknown_dims_are_distinguished()
    {
        var proto = TestModels.LinearRelu();
        proto.Graph.Input[0].Type.TensorType.Shape = null;
        proto.Graph.Output[0].Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension();

        var model = OnnxModelLoader.Load(proto.Bytes(), null);

        Assert.Null(model.Graph.Inputs[0].Type!.Shape);
        Assert.Equal(Dim.Unknown, model.Graph.Outputs[0].Type!.Shape![0]);
    }

    [Fact]
    public void Producers_consumers_and_constants_are_found()
    {
        var model = OnnxModelLoader.Load(TestModels.LinearRelu().Bytes(), null);
        var graph = model.Graph;

        Assert.Equal("matmul", graph.FindProducer("xw")!.Name);
        Assert.Equal(["add"], graph.FindConsumers("xw").Select(n => n.Name));
        Assert.Equal([4L, 3L], graph.FindConstant("W")!.Dims);
        Assert.Null(graph.FindConstant("x"));
    }

    [Fact]
    public void Constant_nodes_are_readable_as_tensors()
    {
        var proto = TestModels.LinearRelu();
        var constant = TestModels.Node("Constant", [], ["c"], "const");
        constant.Attribute.Add(new AttributeProto
        {
            Name = "value", Type = AttributeProto.Types.AttributeType.Tensor,
            T = OnnxTensor.FromInt64s("", [2], [7, 8]).Proto,
        });
        var scalar = TestModels.Node("Constant", [], ["s"], "scalar");
        scalar.Attribute.Add(new AttributeProto { Name = "value_float", Type = AttributeProto.Types.AttributeType.Float, F = 2.5f });
        proto.Graph.Node.Insert(0, constant);
        proto.Graph.Node.Insert(0, scalar);

        var graph = OnnxModelLoader.Load(proto.Bytes(), null).Graph;

        Assert.Equal([7L, 8L], graph.FindConstant("c")!.ToInt64Array());
        Assert.Equal("c", graph.FindConstant("c")!.Name);
        Assert.Equal([2.5f], graph.FindConstant("s")!.ToFloatArray());
    }

    [Fact]
    public void Topological_sort_orders_nodes_inserted_out_of_order()
    {
        var model = OnnxModelLoader.Load(TestModels.LinearRelu().Bytes(), null);
        var graph = model.Graph;
        var relu = graph.Nodes[2];
        graph.Nodes.RemoveAt(2);
        graph.Nodes.Insert(0, relu);

        graph.SortTopologically();

        Assert.Equal(["matmul", "add", "relu"], graph.Nodes.Select(n => n.Name));
    }

    [Fact]
    public void Topological_sort_refuses_a_cycle_created_by_edits()
    {
        var graph = OnnxModelLoader.Load(TestModels.LinearRelu().Bytes(), null).Graph;
        graph.Nodes[0].Inputs[0] = "y";

        var error = Assert.Throws<OnnxFormatException>(() => graph.GetTopologicalOrder());
        Assert.Equal(OnnxErrorCodes.GraphCycle, error.Code);
    }

    [Fact]
    public void Edits_are_written_and_reload()
    {
        var model = OnnxModelLoader.Load(TestModels.LinearRelu().Bytes(), null);
        var graph = model.Graph;
        var name = graph.CreateUniqueName("xw");
        Assert.NotEqual("xw", name);
        graph.Nodes.Add(new OnnxNode("Identity", ["y"], [name], "copy"));
        graph.Outputs[0] = new ValueInfo(name, ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(3)]));
        graph.Nodes[0].SetAttribute(OnnxAttribute.FromInt("unused_marker", 1));
        model.SetOpsetVersion("", 17);

        var reloaded = OnnxModelLoader.Load(OnnxModelWriter.ToBytes(model), null);

        Assert.Equal(4, reloaded.Graph.Nodes.Count);
        Assert.Equal(name, reloaded.Graph.Outputs[0].Name);
        Assert.Equal(1, reloaded.Graph.Nodes[0].FindAttribute("unused_marker")!.Int);
        Assert.Equal(17, reloaded.GetOpsetVersion("ai.onnx"));
    }

    [Fact]
    public void Removing_unused_initializers_keeps_used_ones()
    {
        var proto = TestModels.LinearRelu();
        proto.Graph.Initializer.Add(OnnxTensor.FromFloats("dead", [1], [1f]).Proto);
        var graph = OnnxModelLoader.Load(proto.Bytes(), null).Graph;

        Assert.Equal(1, graph.RemoveUnusedInitializers());
        Assert.Equal(["W", "b"], graph.Initializers.Select(t => t.Name));
    }

    [Fact]
    public void Subgraphs_stay_intact_and_their_outer_references_count_as_uses()
    {
        var proto = TestModels.LinearRelu();
        var branch = new GraphProto { Name = "then" };
        branch.Node.Add(TestModels.Node("Identity", ["b"], ["then_out"], "inner"));
        branch.Output.Add(TestModels.TensorValue("then_out", TensorElementType.Float, 3));
        var cond = TestModels.Node("If", ["flag"], ["z"], "if");
        cond.Attribute.Add(TestModels.GraphAttribute("then_branch", branch));
        cond.Attribute.Add(TestModels.GraphAttribute("else_branch", branch));
        proto.Graph.Input.Add(TestModels.TensorValue("flag", TensorElementType.Bool));
        proto.Graph.Node.Add(cond);
        proto.Graph.Output.Add(TestModels.TensorValue("z", TensorElementType.Float, 3));

        var model = OnnxModelLoader.Load(proto.Bytes(), null);

        Assert.True(model.Graph.IsUsedOutsideExplicitInputs("b"));
        Assert.Equal(0, model.Graph.RemoveUnusedInitializers());
        Assert.Equal(proto, ModelProto.Parser.ParseFrom(OnnxModelWriter.ToBytes(model)));
    }

    [Fact]
    public void Clone_is_independent()
    {
        var model = OnnxModelLoader.Load(TestModels.LinearRelu().Bytes(), null);
        var copy = model.Clone();
        copy.Graph.Nodes.Clear();

        Assert.Equal(3, model.Graph.Nodes.Count);
    }
}

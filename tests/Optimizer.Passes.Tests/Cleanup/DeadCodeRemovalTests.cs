using Google.Protobuf;
using Optimizer.Onnx.Protobuf;
using Optimizer.Onnx;
using static Optimizer.Passes.Tests.Cleanup.TinyGraphs;

namespace Optimizer.Passes.Tests.Cleanup;

public sealed class DeadCodeRemovalTests
{
    [Fact]
    public void Unread_nodes_and_initializers_go_outputs_and_inputs_stay()
    {
        var graph = Graph("x", [2, 3], "y");
        graph.DeclaredInputs.Add(Support.GraphBuilder.Tensor("unused_input", Dim.Fixed(1)));
        graph.Initializers.Add(OnnxTensor.FromFloats("orphan", [2], [1f, 2f]));
        graph.Nodes.Add(Node("Relu", ["x"], ["y"]));
        graph.Nodes.Add(Node("Sigmoid", ["x"], ["dead1"]));
        graph.Nodes.Add(Node("Tanh", ["dead1"], ["dead2"]));

        var result = PassPipeline.Run(Model(graph), []);

        Assert.Equal(["Relu"], Ops(result.Model));
        Assert.Empty(result.Model.Graph.Initializers);
        Assert.Equal(["x", "unused_input"], result.Model.Graph.DeclaredInputs.Select(i => i.Name));
        var changed = Report(result, "Cleanup").Changed;
        Assert.Contains(changed, c => c.Node == "orphan");
        Assert.Equal(2, changed.Count(c => c.Detail.Contains("nothing reads its outputs")));
    }

    [Fact]
    public void A_value_read_only_by_a_subgraph_is_kept()
    {
        // y = If(cond) { Identity(outer) } else { Identity(outer) }, with outer = Relu(x) read only inside the branches.
        var graph = Graph("x", [1], "y");
        graph.Nodes.Add(Node("Relu", ["x"], ["outer"]));
        graph.Initializers.Add(OnnxTensor.FromUInt8s("unused_byte", [1], [1]));
        graph.DeclaredInputs.Add(new ValueInfo("cond", ValueTypeInfo.Tensor(TensorElementType.Bool, [])));
        var proto = ModelProto.Parser.ParseFrom(OnnxModelWriter.ToBytes(Model(graph)));
        var ifNode = new NodeProto { OpType = "If", Name = "if" };
        ifNode.Input.Add("cond");
        ifNode.Output.Add("y");
        ifNode.Attribute.Add(Branch("then_branch"));
        ifNode.Attribute.Add(Branch("else_branch"));
        proto.Graph.Node.Add(ifNode);
        var model = OnnxModelLoader.Load(proto.ToByteArray(), null);

        var result = PassPipeline.Run(model, []);

        Assert.Equal(["Relu", "If"], Ops(result.Model));
        Assert.Null(result.Model.Graph.FindInitializer("unused_byte"));
    }

    private static AttributeProto Branch(string name)
    {
        var branch = new GraphProto { Name = name };
        branch.Node.Add(new NodeProto { OpType = "Identity", Input = { "outer" }, Output = { name + "_out" } });
        branch.Output.Add(new ValueInfoProto { Name = name + "_out", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        return new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = branch };
    }
}

using Google.Protobuf;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx.Tests.Support;

/// <summary>Small models built in code, as protos (for hostile variants) or via the IR.</summary>
internal static class TestModels
{
    /// <summary>y = Relu(x · W + b) with W [4,3] and b [3] as initializers; x is [batch, 4].</summary>
    public static ModelProto LinearRelu()
    {
        var graph = new GraphProto { Name = "linear_relu" };
        graph.Input.Add(TensorValue("x", TensorElementType.Float, "batch", 4));
        graph.Output.Add(TensorValue("y", TensorElementType.Float, "batch", 3));
        graph.Initializer.Add(OnnxTensor.FromFloats("W", [4, 3], Enumerable.Range(0, 12).Select(i => i * 0.1f).ToArray()).Proto);
        graph.Initializer.Add(OnnxTensor.FromFloats("b", [3], [0.5f, -0.5f, 0f]).Proto);
        graph.Node.Add(Node("MatMul", ["x", "W"], ["xw"], "matmul"));
        graph.Node.Add(Node("Add", ["xw", "b"], ["pre"], "add"));
        graph.Node.Add(Node("Relu", ["pre"], ["y"], "relu"));
        return Model(graph);
    }

    public static ModelProto Model(GraphProto graph, long opset = 13)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = opset });
        return model;
    }

    public static NodeProto Node(string op, string[] inputs, string[] outputs, string name)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    public static ValueInfoProto TensorValue(string name, TensorElementType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    public static AttributeProto GraphAttribute(string name, GraphProto graph) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = graph };

    public static byte[] Bytes(this ModelProto model) => model.ToByteArray();
}

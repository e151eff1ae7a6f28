using Google.Protobuf;
using Optimizer.Onnx.Protobuf;
using Optimizer.Onnx.Tests.Support;

namespace Optimizer.Onnx.Tests.Loading;

/// <summary>Lying lengths (OPT1102), empty graphs (OPT1124) and tensors too large to exist (OPT1119).</summary>
public sealed class MalformedModelTests
{
    private const int GraphField = 7;

    [Theory]
    [InlineData(1UL << 62)] // Google.Protobuf keeps the low 32 bits (0): an empty graph plus stray fields
    [InlineData((1UL << 32) + 3)] // low 32 bits 3: a three-byte graph
    [InlineData(1UL << 31)] // negative as int32
    [InlineData(1000)] // more than is left
    public void A_graph_whose_length_lies_is_OPT1102(ulong claimedLength)
    {
        var proto = TestModels.LinearRelu();
        var graph = proto.Graph.ToByteArray();
        proto.Graph = null;
        var bytes = Concat(proto.ToByteArray(), Tag(GraphField), Varint(claimedLength), graph);

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(bytes, null));
        Assert.Equal(OnnxErrorCodes.MalformedProtobuf, error.Code);
        Assert.Contains("length", error.Message);
    }

    [Fact]
    public void A_node_whose_length_lies_inside_a_graph_is_OPT1102()
    {
        var node = TestModels.Node("Relu", ["x"], ["y"], "relu").ToByteArray();
        var graphBody = Concat(Tag(1), Varint(1UL << 62), node);
        var model = new ModelProto { IrVersion = 8 }.ToByteArray();
        var bytes = Concat(model, Tag(GraphField), Varint((ulong)graphBody.Length), graphBody);

        Assert.Equal(OnnxErrorCodes.MalformedProtobuf, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(bytes, null)).Code);
    }

    [Fact]
    public void Honest_framing_still_loads()
    {
        var proto = TestModels.LinearRelu();
        var graph = proto.Graph.ToByteArray();
        proto.Graph = null;
        var bytes = Concat(proto.ToByteArray(), Tag(GraphField), Varint((ulong)graph.Length), graph);

        Assert.Equal(3, OnnxModelLoader.Load(bytes, null).Graph.Nodes.Count);
    }

    [Fact]
    public void A_graph_without_nodes_or_outputs_is_OPT1124()
    {
        var empty = TestModels.Model(new GraphProto { Name = "empty" });
        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(empty.Bytes(), null));
        Assert.Equal(OnnxErrorCodes.EmptyGraph, error.Code);
        Assert.Contains("no nodes and no outputs", error.Message);

        var noNodes = TestModels.LinearRelu();
        noNodes.Graph.Node.Clear();
        noNodes.Graph.Output[0].Name = "x";
        Assert.Contains("no nodes", Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(noNodes.Bytes(), null)).Message);

        var noOutputs = TestModels.LinearRelu();
        noOutputs.Graph.Output.Clear();
        var error2 = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(noOutputs.Bytes(), null));
        Assert.Equal(OnnxErrorCodes.EmptyGraph, error2.Code);
        Assert.Contains("no outputs", error2.Message);
    }

    [Fact]
    public void A_subgraph_without_nodes_is_fine()
    {
        var proto = TestModels.LinearRelu();
        var passThrough = new GraphProto { Name = "pass" };
        passThrough.Output.Add(TestModels.TensorValue("y", TensorElementType.Float, "batch", 3));
        var node = TestModels.Node("If", ["flag"], ["z"], "if");
        node.Attribute.Add(TestModels.GraphAttribute("then_branch", passThrough));
        node.Attribute.Add(TestModels.GraphAttribute("else_branch", passThrough));
        proto.Graph.Input.Add(TestModels.TensorValue("flag", TensorElementType.Bool));
        proto.Graph.Node.Add(node);

        Assert.Equal(4, OnnxModelLoader.Load(proto.Bytes(), null).Graph.Nodes.Count);
    }

    [Theory]
    [InlineData(1L << 21, 1L << 20)] // 2^41 elements, no data
    [InlineData(-1, 3)]
    [InlineData(1L << 62, 1L << 62)] // overflows 64 bits
    public void An_initializer_with_too_many_or_negative_elements_is_OPT1119(long rows, long columns)
    {
        var proto = TestModels.LinearRelu();
        var w = proto.Graph.Initializer[0];
        w.ClearRawData();
        w.Dims.Clear();
        w.Dims.AddRange([rows, columns]);

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(proto.Bytes(), null));
        Assert.Equal(OnnxErrorCodes.TensorTooLarge, error.Code);
        Assert.Contains("'W'", error.Message);
    }

    [Fact]
    public void A_constant_node_or_sparse_initializer_with_too_many_elements_is_OPT1119()
    {
        var constant = TestModels.LinearRelu();
        var value = new TensorProto { Name = "huge", DataType = (int)TensorElementType.Float };
        value.Dims.AddRange([1L << 30, 1L << 30]);
        var node = TestModels.Node("Constant", [], ["c"], "const");
        node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = value });
        constant.Graph.Node.Add(node);
        Assert.Equal(OnnxErrorCodes.TensorTooLarge, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(constant.Bytes(), null)).Code);

        var sparse = TestModels.LinearRelu();
        var values = new TensorProto { Name = "s", DataType = (int)TensorElementType.Float };
        values.Dims.Add(0);
        var indices = new TensorProto { Name = "s_indices", DataType = (int)TensorElementType.Int64 };
        indices.Dims.Add(0);
        var tensor = new SparseTensorProto { Values = values, Indices = indices };
        tensor.Dims.AddRange([1L << 40, 2]);
        sparse.Graph.SparseInitializer.Add(tensor);
        Assert.Equal(OnnxErrorCodes.TensorTooLarge, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(sparse.Bytes(), null)).Code);
    }

    [Fact]
    public void The_element_limit_can_be_raised_for_a_trusted_model()
    {
        var proto = TestModels.LinearRelu();
        var limits = new ModelLoadLimits { MaxTensorElements = 11 };
        Assert.Equal(OnnxErrorCodes.TensorTooLarge, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(proto.Bytes(), null, limits)).Code);
        Assert.NotNull(OnnxModelLoader.Load(proto.Bytes(), null, limits with { MaxTensorElements = 12 }));
    }

    private static byte[] Tag(int field) => Varint((ulong)(field << 3 | 2));

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);

        return bytes.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}

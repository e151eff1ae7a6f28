using Google.Protobuf;
using Optimizer.Onnx.Protobuf;
using Optimizer.Onnx.Tests.Support;

namespace Optimizer.Onnx.Tests;

public sealed class HostileModelTests
{
    [Fact]
    public void Missing_file_is_OPT1100()
    {
        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load("/nonexistent/model.onnx"));
        Assert.Equal(OnnxErrorCodes.FileNotReadable, error.Code);
        Assert.Equal("/nonexistent/model.onnx", error.ModelPath);
    }

    [Fact]
    public void Oversized_model_is_refused_before_parsing()
    {
        using var folder = new TempFolder();
        var path = folder.File("big.onnx");
        File.WriteAllBytes(path, new byte[64]); // not even valid protobuf: size is checked first
        var limits = new ModelLoadLimits { MaxModelBytes = 32 };

        Assert.Equal(OnnxErrorCodes.ModelTooLarge, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path, limits)).Code);
        Assert.Equal(OnnxErrorCodes.ModelTooLarge, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(new byte[64], null, limits)).Code);
    }

    [Fact]
    public void Garbage_bytes_are_OPT1102()
    {
        var garbage = new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01 };
        Assert.Equal(OnnxErrorCodes.MalformedProtobuf, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(garbage, null)).Code);
    }

    [Fact]
    public void Every_truncation_of_a_model_fails_with_a_coded_error_or_loads()
    {
        var bytes = TestModels.LinearRelu().Bytes();
        for (var length = 0; length < bytes.Length; length++)
        {
            try
            {
                OnnxModelLoader.Load(bytes[..length], null);
            }
            catch (OnnxFormatException e)
            {
                Assert.StartsWith("OPT11", e.Code);
            }
        }
    }

    [Fact]
    public void Random_corruption_never_escapes_as_anything_but_a_coded_error()
    {
        var proto = TestModels.LinearRelu();
        var branch = new GraphProto();
        branch.Node.Add(TestModels.Node("Identity", ["b"], ["o"], "inner"));
        branch.Output.Add(TestModels.TensorValue("o", TensorElementType.Float, 3));
        var node = TestModels.Node("If", ["x"], ["z"], "if");
        node.Attribute.Add(TestModels.GraphAttribute("then_branch", branch));
        proto.Graph.Node.Add(node);
        var bytes = proto.Bytes();
        var random = new Random(1234);
        for (var trial = 0; trial < 3000; trial++)
        {
            var corrupted = (byte[])bytes.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupted[random.Next(corrupted.Length)] = (byte)random.Next(256);
            }

            try
            {
                var model = OnnxModelLoader.Load(corrupted, null);
                _ = OnnxModelWriter.ToBytes(model);
                _ = model.Graph.Inputs.Select(i => i.Type?.Shape?.Count).ToArray();
            }
            catch (OnnxFormatException e)
            {
                Assert.StartsWith("OPT11", e.Code);
            }
        }
    }

    [Fact]
    public void External_data_with_overflowing_dims_is_refused_with_a_code()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("w.bin"), new byte[16]);
        var proto = TestModels.LinearRelu();
        var w = proto.Graph.Initializer[0];
        w.ClearRawData();
        w.Dims.Clear();
        w.Dims.AddRange([1L << 40, 1L << 40]);
        w.DataLocation = TensorProto.Types.DataLocation.External;
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "w.bin" });
        var path = folder.File("model.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());

        Assert.Equal(OnnxErrorCodes.ExternalDataRangeInvalid, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path)).Code);
    }

    [Fact]
    public void Deeply_nested_messages_are_OPT1103()
    {
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } };
        for (var i = 0; i < 150; i++)
        {
            type = new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = type } };
        }

        var proto = TestModels.LinearRelu();
        proto.Graph.Input.Add(new ValueInfoProto { Name = "deep", Type = type });

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(proto.Bytes(), null));
        Assert.Equal(OnnxErrorCodes.NestingTooDeep, error.Code);
    }

    [Fact]
    public void Deeply_nested_subgraphs_are_OPT1104()
    {
        var proto = TestModels.LinearRelu();
        var body = new GraphProto { Name = "leaf" };
        body.Node.Add(TestModels.Node("Identity", ["b"], ["leaf_out"], "leaf"));
        body.Output.Add(TestModels.TensorValue("leaf_out", TensorElementType.Float, 3));
        for (var depth = 0; depth < 5; depth++)
        {
            var wrapper = new GraphProto { Name = $"level{depth}" };
            var node = TestModels.Node("If", ["flag"], [$"out{depth}"], $"if{depth}");
            node.Attribute.Add(TestModels.GraphAttribute("then_branch", body));
            node.Attribute.Add(TestModels.GraphAttribute("else_branch", body));
            wrapper.Node.Add(node);
            wrapper.Output.Add(TestModels.TensorValue($"out{depth}", TensorElementType.Float, 3));
            body = wrapper;
        }

        proto.Graph.Input.Add(TestModels.TensorValue("flag", TensorElementType.Bool));
        proto.Graph.Node.Add(body.Node[0]);

        Assert.Equal(OnnxErrorCodes.SubgraphTooDeep, Assert.Throws<OnnxFormatException>(
            () => OnnxModelLoader.Load(proto.Bytes(), null, new ModelLoadLimits { MaxSubgraphDepth = 3 })).Code);
        Assert.NotNull(OnnxModelLoader.Load(proto.Bytes(), null)); // within the default limit
    }

    [Fact]
    public void Model_without_graph_is_OPT1105()
    {
        var proto = new ModelProto { IrVersion = 8 };
        Assert.Equal(OnnxErrorCodes.MissingGraph, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(proto.Bytes(), null)).Code);
    }

    [Fact]
    public void Cycle_is_OPT1120()
    {
        var proto = TestModels.LinearRelu();
        proto.Graph.Node[0].Input[0] = "y"; // MatMul reads Relu's output, which depends on MatMul
        proto.Graph.Input.Clear();

        Assert.Equal(OnnxErrorCodes.GraphCycle, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(proto.Bytes(), null)).Code);
    }

    [Fact]
    public void Dangling_input_is_OPT1121()
    {
        var proto = TestModels.LinearRelu();
        proto.Graph.Node[1].Input[1] = "nowhere";

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(proto.Bytes(), null));
        Assert.Equal(OnnxErrorCodes.DanglingValue, error.Code);
        Assert.Contains("nowhere", error.Message);
    }

    [Fact]
    public void Dangling_graph_output_and_dangling_subgraph_input_are_OPT1121()
    {
        var output = TestModels.LinearRelu();
        output.Graph.Output.Add(TestModels.TensorValue("ghost", TensorElementType.Float, 1));
        Assert.Equal(OnnxErrorCodes.DanglingValue, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(output.Bytes(), null)).Code);

        var sub = TestModels.LinearRelu();
        var branch = new GraphProto();
        branch.Node.Add(TestModels.Node("Identity", ["not_in_any_scope"], ["o"], "inner"));
        branch.Output.Add(TestModels.TensorValue("o", TensorElementType.Float, 1));
        var node = TestModels.Node("If", ["x"], ["z"], "if");
        node.Attribute.Add(TestModels.GraphAttribute("then_branch", branch));
        node.Attribute.Add(TestModels.GraphAttribute("else_branch", branch));
        sub.Graph.Node.Add(node);
        Assert.Equal(OnnxErrorCodes.DanglingValue, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(sub.Bytes(), null)).Code);
    }

    [Fact]
    public void Two_producers_of_one_name_are_OPT1122()
    {
        var proto = TestModels.LinearRelu();
        proto.Graph.Node[1].Output[0] = "xw";

        Assert.Equal(OnnxErrorCodes.DuplicateValue, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(proto.Bytes(), null)).Code);
    }
}

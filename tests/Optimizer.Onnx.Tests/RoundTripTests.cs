using Google.Protobuf;
using Optimizer.Onnx.Protobuf;
using Optimizer.Onnx.Tests.Support;

namespace Optimizer.Onnx.Tests;

public sealed class RoundTripTests
{
    [Fact]
    public void Unknown_fields_at_every_level_round_trip()
    {
        var bytes = TestModels.LinearRelu().Bytes();
        // Append fields no .proto here declares: to the model (field 99), and inside a node and
        // an initializer by rebuilding them with extra bytes.
        var proto = ModelProto.Parser.ParseFrom(bytes);
        proto.Graph.Node[0] = WithUnknownField(proto.Graph.Node[0], NodeProto.Parser);
        proto.Graph.Initializer[0] = WithUnknownField(proto.Graph.Initializer[0], TensorProto.Parser);
        var withUnknown = WithUnknownField(proto, ModelProto.Parser).ToByteArray();

        var saved = OnnxModelWriter.ToBytes(OnnxModelLoader.Load(withUnknown, null));

        Assert.Equal(withUnknown, saved);
    }

    [Fact]
    public void Explicit_default_values_keep_their_presence()
    {
        var proto = TestModels.LinearRelu();
        proto.Graph.Node[0].Attribute.Add(new AttributeProto { Name = "zero", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        proto.OpsetImport[0].Domain = "";

        var saved = ModelProto.Parser.ParseFrom(OnnxModelWriter.ToBytes(OnnxModelLoader.Load(proto.Bytes(), null)));

        Assert.True(saved.Graph.Node[0].Attribute[0].HasI);
        Assert.True(saved.OpsetImport[0].HasDomain);
    }

    [Fact]
    public void Writing_is_deterministic()
    {
        var a = OnnxModelWriter.ToBytes(OnnxModelLoader.Load(TestModels.LinearRelu().Bytes(), null));
        var b = OnnxModelWriter.ToBytes(OnnxModelLoader.Load(TestModels.LinearRelu().Bytes(), null));

        Assert.Equal(a, b);
    }

    [Fact]
    public void Save_replaces_the_file_atomically_and_leaves_no_temporary_files()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        File.WriteAllText(path, "old content");
        var model = OnnxModelLoader.Load(TestModels.LinearRelu().Bytes(), null);

        OnnxModelWriter.Save(model, path);

        Assert.Equal(OnnxModelWriter.ToBytes(model), File.ReadAllBytes(path));
        Assert.Equal(["model.onnx"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_to_an_unwritable_place_is_OPT1141()
    {
        var model = OnnxModelLoader.Load(TestModels.LinearRelu().Bytes(), null);
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("file"), "");

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelWriter.Save(model, folder.File("file/model.onnx")));
        Assert.Equal(OnnxErrorCodes.WriteFailed, error.Code);
    }

    private static T WithUnknownField<T>(T message, MessageParser<T> parser)
        where T : IMessage<T>
    {
        using var buffer = new MemoryStream();
        message.WriteTo(buffer);
        var output = new CodedOutputStream(buffer);
        output.WriteTag(99, WireFormat.WireType.LengthDelimited);
        output.WriteString("from a newer ONNX");
        output.WriteTag(98, WireFormat.WireType.Varint);
        output.WriteInt64(42);
        output.Flush();
        return parser.ParseFrom(buffer.ToArray());
    }
}

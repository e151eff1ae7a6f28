using Google.Protobuf;
using Optimizer.Onnx.Protobuf;
using Optimizer.Onnx.Tests.Support;

namespace Optimizer.Onnx.Tests;

public sealed class ExternalDataTests
{
    private static readonly float[] Weights = Enumerable.Range(0, 12).Select(i => i * 0.1f).ToArray();

    [Fact]
    public void External_data_inside_the_model_folder_is_read_and_written_inline()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("weights"));
        File.WriteAllBytes(folder.File("weights/w.bin"), Padded(16));
        var path = WriteModel(folder, ("location", "weights/w.bin"), ("offset", "16"), ("length", "48"));

        var model = OnnxModelLoader.Load(path);

        Assert.Equal(Weights, model.Graph.FindInitializer("W")!.ToFloatArray());
        var written = ModelProto.Parser.ParseFrom(OnnxModelWriter.ToBytes(model)).Graph.Initializer.Single(t => t.Name == "W");
        Assert.False(written.HasDataLocation);
        Assert.Empty(written.ExternalData);
    }

    [Theory]
    [InlineData("../w.bin", OnnxErrorCodes.ExternalDataPathInvalid)]
    [InlineData("weights/../../w.bin", OnnxErrorCodes.ExternalDataPathInvalid)]
    [InlineData("/etc/passwd", OnnxErrorCodes.ExternalDataPathInvalid)]
    [InlineData("", OnnxErrorCodes.ExternalDataPathInvalid)]
    [InlineData("missing.bin", OnnxErrorCodes.ExternalDataMissing)]
    public void Unsafe_or_missing_locations_are_refused(string location, string code)
    {
        using var folder = new TempFolder();
        var path = WriteModel(folder, ("location", location));

        Assert.Equal(code, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path)).Code);
    }

    [Theory]
    [InlineData("4000", null)]
    [InlineData("0", "4000")]
    [InlineData("-1", null)]
    [InlineData("abc", null)]
    [InlineData("0", "44")] // shorter than 12 floats need
    public void Offsets_and_lengths_out_of_range_are_OPT1115(string offset, string? length)
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("w.bin"), Padded(0));
        var entries = new List<(string, string)> { ("location", "w.bin"), ("offset", offset) };
        if (length is not null)
        {
            entries.Add(("length", length));
        }

        var path = WriteModel(folder, entries.ToArray());

        Assert.Equal(OnnxErrorCodes.ExternalDataRangeInvalid, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path)).Code);
    }

    [Fact]
    public void Symbolic_links_to_files_or_folders_are_OPT1113()
    {
        using var folder = new TempFolder();
        using var outside = new TempFolder();
        File.WriteAllBytes(outside.File("w.bin"), Padded(0));
        File.CreateSymbolicLink(folder.File("link.bin"), outside.File("w.bin"));
        Directory.CreateSymbolicLink(folder.File("linkdir"), outside.Path);

        var fileLink = WriteModel(folder, ("location", "link.bin"));
        Assert.Equal(OnnxErrorCodes.ExternalDataThroughLink, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(fileLink)).Code);

        var folderLink = WriteModel(folder, ("location", "linkdir/w.bin"));
        Assert.Equal(OnnxErrorCodes.ExternalDataThroughLink, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(folderLink)).Code);
    }

    [Fact]
    public void External_data_from_bytes_without_a_folder_is_OPT1110()
    {
        using var folder = new TempFolder();
        var path = WriteModel(folder, ("location", "w.bin"));

        Assert.Equal(OnnxErrorCodes.ExternalDataWithoutDirectory,
            Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(File.ReadAllBytes(path), null)).Code);
    }

    [Fact]
    public void External_data_over_the_limit_is_OPT1116()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("w.bin"), Padded(0));
        var path = WriteModel(folder, ("location", "w.bin"));

        Assert.Equal(OnnxErrorCodes.ExternalDataTooLarge, Assert.Throws<OnnxFormatException>(
            () => OnnxModelLoader.Load(path, new ModelLoadLimits { MaxExternalDataBytes = 10 })).Code);
    }

    private static byte[] Padded(int offset)
    {
        var data = new byte[offset + Weights.Length * 4];
        Buffer.BlockCopy(Weights, 0, data, offset, Weights.Length * 4);
        return data;
    }

    private static string WriteModel(TempFolder folder, params (string Key, string Value)[] entries)
    {
        var proto = TestModels.LinearRelu();
        var w = proto.Graph.Initializer.Single(t => t.Name == "W");
        w.ClearRawData();
        w.DataLocation = TensorProto.Types.DataLocation.External;
        foreach (var (key, value) in entries)
        {
            w.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        var path = folder.File("model.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());
        return path;
    }
}

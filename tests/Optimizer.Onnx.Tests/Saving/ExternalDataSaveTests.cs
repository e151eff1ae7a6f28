using Optimizer.Onnx.Protobuf;
using Optimizer.Onnx.Tests.Support;

namespace Optimizer.Onnx.Tests.Saving;

/// <summary>
/// Writing external data and reading it back: the same code paths a 3 GiB model takes, with the thresholds
/// lowered so a few KB stand in for the gigabytes (tensors "too large to hold", "past 2 GiB").
/// </summary>
public sealed class ExternalDataSaveTests
{
    private const long Elements = 3000; // 12,000 bytes per weight

    private static readonly ModelLoadLimits KeepInFile = new() { InMemoryTensorBytes = 4096, InMemoryModelBytes = 0 };

    [Fact]
    public void A_model_loaded_with_external_data_is_saved_with_it_aligned_and_reads_back_byte_identical()
    {
        using var folder = new TempFolder();
        var source = WriteSource(folder);
        var original = OnnxModelLoader.Load(source);

        var dataPath = OnnxModelWriter.Save(original, folder.File("out/model.onnx"), ExternalDataOptions.Default);

        Assert.Equal(folder.File("out/model.onnx.data"), dataPath);
        var written = ModelProto.Parser.ParseFrom(File.ReadAllBytes(folder.File("out/model.onnx")));
        foreach (var tensor in written.Graph.Initializer)
        {
            var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value);
            Assert.Equal(TensorProto.Types.DataLocation.External, tensor.DataLocation);
            Assert.Equal(["length", "location", "offset"], entries.Keys.Order());
            Assert.Equal("model.onnx.data", entries["location"]);
            Assert.Equal(0, long.Parse(entries["offset"]) % 4096);
            Assert.Equal(Elements * 4, long.Parse(entries["length"]));
        }

        var reloaded = OnnxModelLoader.Load(folder.File("out/model.onnx"));
        Assert.Equal(OnnxModelWriter.ToBytes(original), OnnxModelWriter.ToBytes(reloaded));
        Assert.Equal(["model.onnx", "model.onnx.data"], Directory.GetFiles(folder.File("out")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Saving_is_deterministic_and_an_inline_model_stays_inline()
    {
        using var folder = new TempFolder();
        var model = OnnxModelLoader.Load(WriteSource(folder), KeepInFile);

        OnnxModelWriter.Save(model, folder.File("a/m.onnx"));
        OnnxModelWriter.Save(model, folder.File("b/m.onnx"));
        Assert.Equal(File.ReadAllBytes(folder.File("a/m.onnx")), File.ReadAllBytes(folder.File("b/m.onnx")));
        Assert.Equal(File.ReadAllBytes(folder.File("a/m.onnx.data")), File.ReadAllBytes(folder.File("b/m.onnx.data")));

        var inline = OnnxModelLoader.Load(OnnxModelWriter.ToBytes(model), null);
        Assert.Null(OnnxModelWriter.Save(inline, folder.File("c/m.onnx"), ExternalDataOptions.Default));
        Assert.Equal(OnnxModelWriter.ToBytes(inline), File.ReadAllBytes(folder.File("c/m.onnx")));
        Assert.False(File.Exists(folder.File("c/m.onnx.data")));
    }

    [Fact]
    public void A_model_past_the_inline_limit_is_written_external_automatically()
    {
        using var folder = new TempFolder();
        var inline = OnnxModelLoader.Load(OnnxModelWriter.ToBytes(OnnxModelLoader.Load(WriteSource(folder))), null);

        var dataPath = OnnxModelWriter.Save(inline, folder.File("out/m.onnx"), new ExternalDataOptions { MaxInlineModelBytes = 20_000 });

        Assert.NotNull(dataPath);
        Assert.True(new FileInfo(folder.File("out/m.onnx")).Length < 4096);
        Assert.Equal(OnnxModelWriter.ToBytes(inline), OnnxModelWriter.ToBytes(OnnxModelLoader.Load(folder.File("out/m.onnx"))));
    }

    [Fact]
    public void Tensors_above_the_in_memory_limit_stay_in_their_file_and_read_the_same_whole_or_in_blocks()
    {
        using var folder = new TempFolder();
        var path = WriteSource(folder);
        var mapped = OnnxModelLoader.Load(path);
        var inFile = OnnxModelLoader.Load(path, KeepInFile);

        foreach (var (a, b) in mapped.Graph.Initializers.Zip(inFile.Graph.Initializers))
        {
            Assert.False(a.StaysInFile);
            Assert.True(b.StaysInFile);
            Assert.Equal(a.ToFloatArray(), b.ToFloatArray());
            var block = new byte[1000];
            b.ReadRawBytes(4000, block);
            Assert.Equal(a.ToRawBytes().AsSpan(4000, 1000).ToArray(), block);
        }

        // Copied from the file by the writer, a block at a time: the same bytes as from memory.
        OnnxModelWriter.Save(mapped, folder.File("m/model.onnx"));
        OnnxModelWriter.Save(inFile, folder.File("f/model.onnx"));
        Assert.Equal(File.ReadAllBytes(folder.File("m/model.onnx.data")), File.ReadAllBytes(folder.File("f/model.onnx.data")));
        Assert.Equal(OnnxModelWriter.ToBytes(mapped), OnnxModelWriter.ToBytes(inFile));
    }

    [Theory]
    [InlineData(0L, 0L, OnnxErrorCodes.ExternalDataOverlap)]
    [InlineData(0L, 12_000L + 4, OnnxErrorCodes.ExternalDataRangeInvalid)]
    public void Hostile_regions_are_refused_with_their_codes_when_tensors_stay_in_their_file(long first, long second, string code)
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("w.bin"), new byte[24_000]);
        var path = ExternalDataModels.WriteLarge(folder, "w.bin", Elements, first, second);

        Assert.Equal(code, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path, KeepInFile)).Code);
    }

    [Fact]
    public void The_external_data_limit_names_the_options_that_raise_it()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(WriteSource(folder), KeepInFile with { MaxExternalDataBytes = 1000 }));

        Assert.Equal(OnnxErrorCodes.ExternalDataTooLarge, error.Code);
        Assert.Contains("--max-external-data-bytes", error.Message);
        Assert.Contains("OptimizerMaxExternalDataBytes", error.Message);
    }

    /// <summary>y = x + W0 + W1, two float32 [3000] weights at offsets 0 and 12288 (4096-aligned) of weights.bin.</summary>
    private static string WriteSource(TempFolder folder)
    {
        const int second = 3 * 4096;
        var data = new byte[second + Elements * 4];
        var random = new Random(18);
        for (var i = 0; i < Elements; i++)
        {
            BitConverter.TryWriteBytes(data.AsSpan((int)(i * 4)), (float)random.NextDouble());
            BitConverter.TryWriteBytes(data.AsSpan((int)(second + i * 4)), (float)random.NextDouble());
        }

        File.WriteAllBytes(folder.File("weights.bin"), data);
        return ExternalDataModels.WriteLarge(folder, "weights.bin", Elements, 0, second);
    }
}

using Optimizer.Onnx.Tests.Support;

namespace Optimizer.Onnx.Tests.Loading;

/// <summary>
/// External-data regions cannot amplify: no two tensors may share bytes (OPT1118), so the data read
/// never exceeds what the files hold, and each byte is read once into the array the tensor keeps.
/// </summary>
public sealed class ExternalDataRegionTests
{
    private const long GiB = 1L << 30;

    [Fact]
    public void The_same_region_named_twice_is_OPT1118_naming_both_tensors_before_anything_is_read()
    {
        using var folder = new TempFolder();
        SpecialFiles.MakeSparse(folder.File("zeros.bin"), GiB);
        var path = ExternalDataModels.WriteLarge(folder, "zeros.bin", GiB / 4, 0, 0);
        Assert.True(new FileInfo(path).Length < 400, "the hostile model itself is a few hundred bytes");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(OnnxErrorCodes.ExternalDataOverlap, error.Code);
        Assert.Contains("'W0'", error.Message);
        Assert.Contains("'W1'", error.Message);
        Assert.Contains("zeros.bin", error.Message);
        Assert.True(allocated < 16 << 20, $"refusing allocated {allocated} bytes; the 1 GiB region must not be read");
    }

    [Theory]
    [InlineData(0, 4)]   // W's last float is b's first
    [InlineData(0, 47)]  // one byte shared
    [InlineData(4, 12)]  // b inside W
    public void Partly_overlapping_regions_are_OPT1118(long weightOffset, long biasOffset)
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("data.bin"), new byte[128]);
        var path = ExternalDataModels.Write(folder, ("W", "data.bin", weightOffset), ("b", "data.bin", biasOffset));

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path));
        Assert.Equal(OnnxErrorCodes.ExternalDataOverlap, error.Code);
        Assert.Contains("'W'", error.Message);
        Assert.Contains("'b'", error.Message);
    }

    [Fact]
    public void Regions_adding_up_to_more_than_the_file_holds_are_refused()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("data.bin"), new byte[50]); // W needs 48, b 12: 60 > 50
        var path = ExternalDataModels.Write(folder, ("W", "data.bin", 0), ("b", "data.bin", 38));

        Assert.Equal(OnnxErrorCodes.ExternalDataOverlap, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path)).Code);
    }

    [Fact]
    public void Adjacent_regions_and_separate_files_load_with_their_values()
    {
        using var folder = new TempFolder();
        var weights = Enumerable.Range(0, 12).Select(i => i * 0.1f).ToArray();
        var bias = new[] { 0.5f, -0.5f, 0f };
        var data = new byte[60];
        Buffer.BlockCopy(weights, 0, data, 0, 48);
        Buffer.BlockCopy(bias, 0, data, 48, 12);
        File.WriteAllBytes(folder.File("data.bin"), data);

        var adjacent = OnnxModelLoader.Load(ExternalDataModels.Write(folder, ("W", "data.bin", 0), ("b", "data.bin", 48)));
        Assert.Equal(weights, adjacent.Graph.FindInitializer("W")!.ToFloatArray());
        Assert.Equal(bias, adjacent.Graph.FindInitializer("b")!.ToFloatArray());

        File.WriteAllBytes(folder.File("b.bin"), data[48..]);
        var separate = OnnxModelLoader.Load(ExternalDataModels.Write(folder, ("W", "data.bin", 0), ("b", "b.bin", 0)));
        Assert.Equal(bias, separate.Graph.FindInitializer("b")!.ToFloatArray());
    }

    [Fact]
    public void Regions_over_MaxExternalDataBytes_together_are_OPT1116_though_each_file_is_within_it()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("w.bin"), new byte[48]);
        File.WriteAllBytes(folder.File("b.bin"), new byte[12]);
        var path = ExternalDataModels.Write(folder, ("W", "w.bin", 0), ("b", "b.bin", 0));

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path, new ModelLoadLimits { MaxExternalDataBytes = 50 }));
        Assert.Equal(OnnxErrorCodes.ExternalDataTooLarge, error.Code);
        Assert.Contains("60 bytes", error.Message);
        Assert.NotNull(OnnxModelLoader.Load(path, new ModelLoadLimits { MaxExternalDataBytes = 60 }));
    }

    [Fact]
    public void Loading_external_data_allocates_it_once()
    {
        const long elements = 16L << 20; // 64 MiB of float32
        using var folder = new TempFolder();
        var bytes = new byte[elements * 4];
        new Random(7).NextBytes(bytes.AsSpan(0, 4096));
        File.WriteAllBytes(folder.File("w.bin"), bytes);
        var path = ExternalDataModels.WriteLarge(folder, "w.bin", elements, 0);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var model = OnnxModelLoader.Load(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Before: a read buffer and ByteString.CopyFrom held the data twice (128 MiB and more).
        Assert.True(allocated < bytes.Length + (4 << 20), $"loading 64 MiB of external data allocated {allocated} bytes");
        Assert.Equal(bytes.AsSpan(0, 4096).ToArray(), model.Graph.FindInitializer("W0")!.ToRawBytes()[..4096]);
    }
}

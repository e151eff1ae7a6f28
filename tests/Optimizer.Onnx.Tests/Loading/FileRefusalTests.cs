using Google.Protobuf;
using Optimizer.Onnx.Protobuf;
using Optimizer.Onnx.Tests.Support;
using Optimizer.Tests.Shared;

namespace Optimizer.Onnx.Tests.Loading;

/// <summary>The model and its external data are read only from regular files of their own (OPT1117), without hanging.</summary>
public sealed class FileRefusalTests
{
    [ConditionalFact(Needs.Linux)]
    public void A_fifo_as_the_model_is_OPT1117_without_blocking()
    {
        using var folder = new TempFolder();
        var fifo = folder.File("model.onnx");
        SpecialFiles.MakeFifo(fifo);

        // No writer ever opens the FIFO: a blocking open() or read would never return.
        var error = SpecialFiles.Within(10, () => Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(fifo)));
        Assert.Equal(OnnxErrorCodes.FileNotRegular, error.Code);
        Assert.Contains("FIFO", error.Message);
        Assert.Equal(fifo, error.ModelPath);
    }

    [ConditionalTheory(Needs.Linux)]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("/proc/self/environ")]
    public void A_device_or_kernel_file_as_the_model_is_OPT1117_without_reading_it(string path)
    {
        var error = SpecialFiles.Within(10, () => Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path)));
        Assert.Equal(OnnxErrorCodes.FileNotRegular, error.Code);
        Assert.Contains(path, error.Message);
    }

    [ConditionalFact(Needs.Linux)]
    public void A_symbolic_link_from_the_model_folder_to_dev_zero_is_OPT1117()
    {
        using var folder = new TempFolder();
        var link = folder.File("model.onnx");
        File.CreateSymbolicLink(link, "/dev/zero");

        var error = SpecialFiles.Within(10, () => Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(link)));
        Assert.Equal(OnnxErrorCodes.FileNotRegular, error.Code);
    }

    [ConditionalFact(Needs.Linux)]
    public void A_hard_link_to_a_model_outside_the_folder_is_OPT1117()
    {
        using var outside = new TempFolder();
        using var folder = new TempFolder();
        File.WriteAllBytes(outside.File("real.onnx"), TestModels.LinearRelu().Bytes());
        SpecialFiles.HardLink(outside.File("real.onnx"), folder.File("model.onnx"));

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(folder.File("model.onnx")));
        Assert.Equal(OnnxErrorCodes.FileNotRegular, error.Code);
        Assert.Contains("hard link", error.Message);
    }

    [Fact]
    public void A_folder_as_the_model_is_OPT1117()
    {
        using var folder = new TempFolder();
        Assert.Equal(OnnxErrorCodes.FileNotRegular, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(folder.Path)).Code);
    }

    [Fact]
    public void A_model_file_over_the_cap_is_OPT1101_before_it_is_read()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        SpecialFiles.MakeSparse(path, 1L << 32); // 4 GiB that take no disk: reading it would take seconds and 4 GiB

        var error = SpecialFiles.Within(10, () => Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path)));
        Assert.Equal(OnnxErrorCodes.ModelTooLarge, error.Code);
    }

    [ConditionalFact(Needs.Linux)]
    public void A_fifo_as_external_data_is_OPT1117_without_blocking()
    {
        using var folder = new TempFolder();
        SpecialFiles.MakeFifo(folder.File("w.bin"));
        var path = ExternalDataModels.Write(folder, ("W", "w.bin", 0));

        var error = SpecialFiles.Within(10, () => Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path)));
        Assert.Equal(OnnxErrorCodes.FileNotRegular, error.Code);
        Assert.Contains("'W'", error.Message);
        Assert.Contains("FIFO", error.Message);
    }

    [ConditionalFact(Needs.Linux)]
    public void External_data_hard_linked_to_a_file_outside_the_folder_is_OPT1117()
    {
        using var outside = new TempFolder();
        using var folder = new TempFolder();
        File.WriteAllBytes(outside.File("secret.bin"), new byte[48]);
        SpecialFiles.HardLink(outside.File("secret.bin"), folder.File("w.bin"));
        var path = ExternalDataModels.Write(folder, ("W", "w.bin", 0));

        var error = Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path));
        Assert.Equal(OnnxErrorCodes.FileNotRegular, error.Code);
        Assert.Contains("hard link", error.Message);
    }

    [Fact]
    public void A_folder_as_external_data_is_refused_with_a_code()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("w.bin"));
        var path = ExternalDataModels.Write(folder, ("W", "w.bin", 0));

        Assert.Equal(OnnxErrorCodes.FileNotRegular, Assert.Throws<OnnxFormatException>(() => OnnxModelLoader.Load(path)).Code);
    }
}

using System.Diagnostics;
using Optimizer.Onnx.Files;
using Optimizer.Onnx.Tests.Support;
using Optimizer.Tests.Shared;

namespace Optimizer.Onnx.Tests.Files;

public sealed class UntrustedFileTests
{
    [Fact]
    public void A_regular_file_within_the_cap_is_read()
    {
        using var folder = new TempFolder();
        string path = folder.File("data.bin");
        File.WriteAllBytes(path, [1, 2, 3]);

        Assert.Equal(new byte[] { 1, 2, 3 }, UntrustedFile.ReadAllBytes(path, maxBytes: 3));
    }

    [Fact]
    public void A_file_over_the_cap_is_refused_before_reading()
    {
        using var folder = new TempFolder();
        string path = folder.File("data.bin");
        File.WriteAllBytes(path, new byte[10]);

        var error = Assert.Throws<UntrustedFileException>(() => UntrustedFile.ReadAllBytes(path, maxBytes: 9));
        Assert.Equal(UntrustedFileProblem.TooLarge, error.Problem);
    }

    [Fact]
    public void A_missing_file_says_so()
    {
        var error = Assert.Throws<UntrustedFileException>(() => UntrustedFile.OpenRead("/nonexistent/x.onnx", 1));
        Assert.Equal(UntrustedFileProblem.NotFound, error.Problem);
    }

    [ConditionalTheory(Needs.Linux)]
    [InlineData("/dev/zero")]
    [InlineData("/proc/self/environ")]
    [InlineData("/sys/kernel/mm")]
    public void Device_and_kernel_paths_are_refused(string path)
    {
        var error = Assert.Throws<UntrustedFileException>(() => UntrustedFile.OpenRead(path, long.MaxValue));
        Assert.Equal(UntrustedFileProblem.SystemPath, error.Problem);
    }

    [ConditionalFact(Needs.Linux)]
    public void A_symbolic_link_to_a_kernel_file_is_refused()
    {
        using var folder = new TempFolder();
        string link = folder.File("environ.npy");
        File.CreateSymbolicLink(link, "/proc/self/environ");

        Assert.Equal(UntrustedFileProblem.SystemPath, Assert.Throws<UntrustedFileException>(() => UntrustedFile.OpenRead(link, long.MaxValue)).Problem);
    }

    [ConditionalFact(Needs.Linux)]
    public void A_fifo_is_refused_without_blocking()
    {
        using var folder = new TempFolder();
        string fifo = folder.File("weights.bin");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }

        // No writer ever opens the FIFO: a blocking open() would never return.
        var error = Assert.Throws<UntrustedFileException>(() => UntrustedFile.OpenRead(fifo, long.MaxValue));
        Assert.Equal(UntrustedFileProblem.NotRegular, error.Problem);
        Assert.Contains("FIFO", error.Message);
    }

    [Fact]
    public void A_folder_is_refused()
    {
        using var folder = new TempFolder();
        Assert.Equal(UntrustedFileProblem.NotRegular, Assert.Throws<UntrustedFileException>(() => UntrustedFile.OpenRead(folder.Path, long.MaxValue)).Problem);
    }

    [ConditionalFact(Needs.Linux)]
    public void A_hard_linked_file_is_refused()
    {
        using var outside = new TempFolder();
        using var modelFolder = new TempFolder();
        string secret = outside.File("secret.txt");
        File.WriteAllText(secret, "secret");
        string link = modelFolder.File("model.onnx_data");
        using (var ln = Process.Start("ln", [secret, link]))
        {
            ln.WaitForExit();
        }

        var error = Assert.Throws<UntrustedFileException>(() => UntrustedFile.OpenRead(link, long.MaxValue));
        Assert.Equal(UntrustedFileProblem.HardLinked, error.Problem);
    }
}

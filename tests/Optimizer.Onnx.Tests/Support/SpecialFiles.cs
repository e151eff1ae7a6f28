using System.Diagnostics;

namespace Optimizer.Onnx.Tests.Support;

/// <summary>Creates the special files hostile models point at (Linux only), and bounds calls that must not hang.</summary>
internal static class SpecialFiles
{
    public static void MakeFifo(string path) => Run("mkfifo", path);

    public static void HardLink(string target, string link) => Run("ln", target, link);

    /// <summary>A file of <paramref name="length"/> bytes that takes no disk: its size is set, nothing is written.</summary>
    public static void MakeSparse(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        stream.SetLength(length);
    }

    /// <summary>Runs <paramref name="action"/> and fails the test if it has not returned within <paramref name="seconds"/>.</summary>
    public static T Within<T>(int seconds, Func<T> action)
    {
        var task = Task.Run(action);
        Assert.True(task.Wait(TimeSpan.FromSeconds(seconds)), $"still running after {seconds} s: it hangs");
        return task.Result;
    }

    private static void Run(string tool, params string[] arguments)
    {
        using var process = Process.Start(tool, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}

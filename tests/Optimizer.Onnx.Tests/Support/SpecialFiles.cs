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

    /// <summary>
    /// Runs <paramref name="action"/> on a thread of its own (a busy thread pool must not count as a
    /// hang) and fails the test if it has not returned within <paramref name="seconds"/>.
    /// </summary>
    public static T Within<T>(int seconds, Func<T> action)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { result = action(); }
            catch (Exception e) { error = e; }
        }) { IsBackground = true };
        thread.Start();
        // Generous: a hang never returns, while a loaded CI machine can be slow.
        Assert.True(thread.Join(TimeSpan.FromSeconds(seconds * 3)), $"still running after {seconds * 3} s: it hangs");
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }

        return result;
    }

    private static void Run(string tool, params string[] arguments)
    {
        using var process = Process.Start(tool, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}

using Optimizer.Engine.Diagnostics;

namespace Optimizer.Engine.Output;

/// <summary>
/// Writes a set of files so that readers see either all the new files or none of them: each goes
/// to a temporary file in the same folder (so the move is a rename), and only when all are on disk
/// are they moved into place. On failure the temporaries are removed, and any file already moved
/// in this call is deleted so an old model never sits beside a new manifest. Files are moved in the
/// order given: put a file that names the others (the manifest) last.
/// </summary>
public static class AtomicOutputWriter
{
    /// <param name="afterEachMove">Called after each file is moved into place (tests check what a kill at that instant would leave).</param>
    public static void WriteAll(string directory, IReadOnlyList<(string FileName, byte[] Bytes)> files, Action? afterEachMove = null)
    {
        var pending = new List<(string Temporary, string Final)>();
        var moved = new List<string>();
        try
        {
            Directory.CreateDirectory(directory);
            foreach (var (fileName, bytes) in files)
            {
                var final = Path.Combine(directory, fileName);
                var temporary = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.tmp");
                pending.Add((temporary, final));
                using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            foreach (var (temporary, final) in pending)
            {
                File.Move(temporary, final, overwrite: true);
                moved.Add(final);
                afterEachMove?.Invoke();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var (temporary, _) in pending)
                TryDelete(temporary);
            foreach (var final in moved)
                TryDelete(final);
            throw new EngineException(EngineErrorCodes.WriteFailed,
                $"Could not write the optimizer outputs to '{directory}': {e.Message} Check that the folder is writable and the disk has space.",
                new DiagnosticLocation(directory), e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original failure is what gets reported.
        }
    }
}

using System.Diagnostics;

namespace Optimizer.Hostile.Tests;

/// <summary>
/// A temporary folder for one case: <c>work/</c> holds the case's corpus files and is the CLI's current folder,
/// <c>outside/</c> beside it plays "a folder outside the project". FIFOs, links, folders and sparse files are made here at run time.
/// </summary>
internal sealed class CaseWorkspace : IDisposable
{
    private readonly string _root;

    public CaseWorkspace(HostileCase hostileCase)
    {
        _root = Path.Combine(Path.GetTempPath(), "optimizer-hostile-" + Guid.NewGuid().ToString("N"));
        Work = Path.Combine(_root, "work");
        Outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(Work);
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Path.Combine(Work, "out"));
        foreach (var file in hostileCase.Files)
            File.Copy(Path.Combine(HostileCorpus.ModelsFolder, file), Path.Combine(Work, file));
        foreach (var step in hostileCase.Setup)
            Make(step);
    }

    /// <summary>The CLI's current folder.</summary>
    public string Work { get; }

    /// <summary>A folder beside <see cref="Work"/>, outside the "project".</summary>
    public string Outside { get; }

    /// <summary>Files the command left in <c>work/out</c> that only a success may leave (models, manifests, kernel programs, reports).</summary>
    public IReadOnlyList<string> Outputs() =>
        Directory.EnumerateFiles(Path.Combine(Work, "out"), "*", SearchOption.TopDirectoryOnly)
            .Where(f => f.EndsWith(".onnx", StringComparison.Ordinal) || f.EndsWith(".model.json", StringComparison.Ordinal)
                        || f.EndsWith(".kernels", StringComparison.Ordinal) || f.Contains(".report.", StringComparison.Ordinal))
            .Select(Path.GetFileName).ToList()!;

    private string Resolve(string path) =>
        path.StartsWith("outside:", StringComparison.Ordinal) ? Path.Combine(Outside, path["outside:".Length..])
        : Path.IsPathRooted(path) ? path
        : Path.Combine(Work, path);

    /// <summary>A target named <c>outside:&lt;corpus file&gt;</c> is first copied there from the corpus.</summary>
    private string ResolveTarget(string target)
    {
        var resolved = Resolve(target);
        var corpusFile = Path.Combine(HostileCorpus.ModelsFolder, Path.GetFileName(resolved));
        if (target.StartsWith("outside:", StringComparison.Ordinal) && !File.Exists(resolved) && File.Exists(corpusFile))
            File.Copy(corpusFile, resolved);
        return resolved;
    }

    private void Make(SetupStep step)
    {
        var path = Resolve(step.Path);
        switch (step.Kind)
        {
            case "fifo":
                Run("mkfifo", path);
                break;
            case "hardlink":
                Run("ln", ResolveTarget(step.Target!), path);
                break;
            case "symlink":
                File.CreateSymbolicLink(path, ResolveTarget(step.Target!));
                break;
            case "directory":
                Directory.CreateDirectory(path);
                break;
            case "sparse":
                // SetLength on an empty file allocates no blocks (ext4, xfs, tmpfs, overlayfs): gigabytes cost nothing.
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                    stream.SetLength(step.Size);
                break;
            case "bytes":
                File.WriteAllBytes(path, Enumerable.Range(0, (int)step.Size).Select(i => (byte)(i * 37 + 11)).ToArray());
                break;
            case "copy":
                File.Copy(Path.Combine(HostileCorpus.ModelsFolder, step.Target!), path);
                break;
            default:
                throw new InvalidOperationException($"cases.json: unknown setup kind '{step.Kind}'.");
        }
    }

    private static void Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {error}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A still-open FIFO or a slow file system: the temp folder is reclaimed later.
        }
    }
}

using System.Diagnostics;

namespace Optimizer.Passes.Tests.Checker;

/// <summary>
/// Runs the ONNX project's own <c>onnx.checker.check_model</c> (Debian's python3-onnx, which
/// .ci/run installs) over model files, in one Python process. Debian's package lives in the
/// system interpreter, so /usr/bin/python3 is used rather than whatever `python3` is first on PATH.
/// </summary>
internal static class OnnxChecker
{
    private const string Interpreter = "/usr/bin/python3";

    // Prints "OK <path>" or "FAIL <path> <reason>" per file, then "VERSION <onnx version> <max opset> <max ir>".
    private const string Script = """
        import sys, onnx
        from onnx import checker, defs
        print("VERSION", onnx.__version__, defs.onnx_opset_version(), onnx.IR_VERSION, flush=True)
        for path in sys.argv[1:]:
            try:
                checker.check_model(onnx.load(path), full_check=True)
                print("OK", path, flush=True)
            except Exception as e:
                print("FAIL", path, str(e).replace("\n", " ")[:500], flush=True)
        """;

    /// <summary>Why the checker cannot run here, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!File.Exists(Interpreter)) return $"{Interpreter} is absent";
        var probe = Run(["-c", "import onnx"]);
        return probe.ExitCode == 0 ? null : "python3-onnx is not installed (apt-get install python3-onnx; .ci/run does this)";
    }

    public static CheckerRun Check(IReadOnlyList<string> modelPaths)
    {
        var (exitCode, output) = Run(["-c", Script, .. modelPaths]);
        if (exitCode != 0) throw new InvalidOperationException($"onnx.checker did not run ({exitCode}): {output}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var version = lines.First(l => l.StartsWith("VERSION ", StringComparison.Ordinal)).Split(' ');
        var failures = lines.Where(l => l.StartsWith("FAIL ", StringComparison.Ordinal)).ToList();
        var passed = lines.Count(l => l.StartsWith("OK ", StringComparison.Ordinal));
        return new CheckerRun(version[1], int.Parse(version[2]), int.Parse(version[3]), passed, failures);
    }

    private static (int ExitCode, string Output) Run(IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}

/// <summary>What one checker run found.</summary>
internal sealed record CheckerRun(string OnnxVersion, int MaxOpset, int MaxIrVersion, int Passed, IReadOnlyList<string> Failures);

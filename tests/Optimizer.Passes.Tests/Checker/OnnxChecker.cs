using System.Diagnostics;
using Optimizer.Tests.Shared;

namespace Optimizer.Passes.Tests.Checker;

/// <summary>
/// Runs the ONNX project's own <c>onnx.checker.check_model</c> (Debian's python3-onnx, which
/// .ci/run installs) over model files, in one Python process, with the system interpreter the
/// package lives in. Tests that use it are marked <c>[ConditionalFact(Needs.PythonOnnx)]</c>.
/// </summary>
internal static class OnnxChecker
{
    private const string Interpreter = TestNeeds.SystemPython;

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

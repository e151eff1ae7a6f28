using Optimizer.Onnx;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Conformance;

/// <summary>
/// Compiles every model of a folder and prints the coverage table for the closing notes: symbolic
/// dimensions, compiled or not, and what keeps each out (the operators missing from the kernel set,
/// else the first reason). Shared by the coverage tests of ../shared's models and the third-party ones.
/// </summary>
internal static class CoverageTable
{
    /// <summary>Prints the table of the folder's <c>*.onnx</c> files (by name) and returns the names of those that compiled.</summary>
    public static IReadOnlyList<string> Print(string folder, ITestOutputHelper output)
    {
        var compiled = new List<string>();
        output.WriteLine("| model | symbolic dims | compiled | missing operators / first reason |");
        output.WriteLine("|---|---|---|---|");
        foreach (var path in Directory.GetFiles(folder, "*.onnx").Order(StringComparer.Ordinal))
        {
            var model = OnnxModelLoader.Load(path);
            var symbols = model.Graph.Inputs.SelectMany(i => i.Type?.Shape ?? []).Select(d => d.Symbol).OfType<string>().Distinct().ToArray();
            var result = KernelCompiler.Compile(model);
            result.Program?.Dispose();
            var name = Path.GetFileName(path);
            var missing = result.Unsupported.Where(u => u.Reason.Contains("is not in the kernel set", StringComparison.Ordinal)).Select(u => u.OpType).Distinct().Order(StringComparer.Ordinal).ToArray();
            var why = result.IsSupported ? "" : missing.Length > 0 ? string.Join(", ", missing) : result.Unsupported[0].ToString();
            output.WriteLine($"| {name} | {string.Join(", ", symbols)} | {(result.IsSupported ? "yes" : "no")} | {why} |");
            if (result.IsSupported)
            {
                compiled.Add(name);
            }
        }

        output.WriteLine($"compiled: {compiled.Count}");
        return compiled;
    }
}

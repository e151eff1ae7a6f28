using System.Diagnostics;
using System.Security.Cryptography;

namespace Optimizer.Onnx.Tests.Fuzz;

/// <summary>
/// Runs a fuzz target on mutated inputs from a fixed seed for a bounded time (default 5 s; the
/// environment variable <c>OPTIMIZER_FUZZ_SECONDS</c> sets a longer run). Every failure must be an
/// <see cref="OnnxFormatException"/> with an OPT11xx code; any other exception saves its input under
/// the temp folder and is returned for the test to report.
/// </summary>
internal static class FuzzLoop
{
    public sealed record Result(int Executions, int Accepted, IReadOnlyDictionary<string, int> Codes, IReadOnlyList<string> Crashes);

    public static Result Run(string target, int seed, Func<Random, byte[]> nextInput, Action<byte[]> run)
    {
        var budget = TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("OPTIMIZER_FUZZ_SECONDS"), out var s) ? s : 5);
        var random = new Random(seed);
        var codes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var crashes = new List<string>();
        var (executions, accepted) = (0, 0);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < budget && crashes.Count < 5)
        {
            var input = nextInput(random);
            executions++;
            try
            {
                run(input);
                accepted++;
            }
            catch (OnnxFormatException e) when (e.Code.StartsWith("OPT11", StringComparison.Ordinal))
            {
                // Shape inference's safety net keeps the .NET exception a rule threw: count those apart, they point at rules to fix.
                var key = e.Code == OnnxErrorCodes.NodeInconsistent && e.InnerException is { } inner ? $"{e.Code} via {inner.GetType().Name}" : e.Code;
                codes[key] = codes.GetValueOrDefault(key) + 1;
            }
            catch (Exception e)
            {
                var path = Path.Combine(Path.GetTempPath(), $"{target}-crash-{Convert.ToHexString(SHA256.HashData(input))[..16]}.onnx");
                File.WriteAllBytes(path, input);
                crashes.Add($"{path}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }

        return new Result(executions, accepted, codes, crashes);
    }

    public static string Describe(Result result) =>
        $"{result.Executions} executions, {result.Accepted} accepted, refusals: " +
        string.Join(", ", result.Codes.Select(p => $"{p.Key} x{p.Value}"));
}

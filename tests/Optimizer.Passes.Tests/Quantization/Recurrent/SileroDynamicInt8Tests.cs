using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;
using Optimizer.Passes.Quantization.Recurrent;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Quantization.Recurrent;

/// <summary>
/// DynamicInt8 on the real silero VAD, whose 36 Conv and 8 LSTM all sit in If branches (16 kHz /
/// 8 kHz, then zero / carried state): under the speed table the report names every one with the
/// measured reason and the shortfall gives it; with the kinds switched on, every layer in every
/// branch is rewritten and the model, streamed over 6 s of speech-like audio with its state carried,
/// keeps output, hn and cn close to fp32.
/// </summary>
public sealed class SileroDynamicInt8Tests(ITestOutputHelper output)
{
    private const int Convs = 36;
    private const int Lstms = 8;

    [ConditionalFact("data/models")]
    public void The_report_names_every_Conv_and_LSTM_and_the_reason_it_stayed_float()
    {
        var model = LoadSilero();
        var result = PassPipeline.Run(model, [new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" })]);
        var report = result.Reports.Single(r => r.Pass == "Quantize");
        output.WriteLine(report.Summary);
        output.WriteLine(report.Shortfall?.ToString() ?? "(no shortfall)");

        using (new InferenceSession(OnnxModelWriter.ToBytes(result.Model))) { }
        var nodes = ForcedLayerKinds.AllNodes(result.Model.Graph).ToList();
        foreach (var kind in DynamicLayerKinds.All)
        {
            var count = kind.OpType == "Conv" ? Convs : Lstms;
            var named = report.Changed.Count(c => IsOf(c.Node, kind.OpType)) + report.Skipped.Count(s => IsOf(s.Node, kind.OpType));
            Assert.Equal(count, named);
            Assert.Equal(kind.Quantize ? 0 : count, nodes.Count(n => n.OpType == kind.OpType));
            Assert.Equal(kind.Quantize ? count : 0, nodes.Count(n => n.OpType == kind.QuantizedForm));
            if (!kind.Quantize)
            {
                Assert.All(report.Skipped.Where(s => IsOf(s.Node, kind.OpType)), s => Assert.Equal($"kept float: {kind.Measured}", s.Reason));
                Assert.Contains($"0 of {count} {kind.OpType} (kept float: {kind.Measured})", report.Summary);
            }
        }

        if (DynamicLayerKinds.All.All(k => !k.Quantize))
        {
            var shortfall = report.Shortfall!.ToString();
            Assert.All(DynamicLayerKinds.All, kind => Assert.Contains(kind.Measured, shortfall));
        }
        else
        {
            Assert.Null(report.Shortfall); // some layers were quantized: the others are in the summary and the skips
        }
    }

    [ConditionalTheory("data/models")]
    // Measured (6 s, 187 chunks): Conv output 0.99994, hn 0.9978, cn 0.9991; LSTM 0.999996, 0.99993,
    // 0.99997; both 0.99992, 0.9977, 0.9992. The state drifts more than the probability it feeds.
    [InlineData("Conv", 0.9995, 0.995)]
    [InlineData("LSTM", 0.9999, 0.9995)]
    [InlineData("Conv,LSTM", 0.9995, 0.995)]
    public void Every_layer_in_every_branch_is_rewritten_and_the_streamed_outputs_stay_close(string kinds, double minOutputCosine, double minStateCosine)
    {
        var fp32 = LoadSilero();
        var int8 = fp32.Clone();
        var opTypes = kinds.Split(',');
        var result = ForcedLayerKinds.Quantize(int8, opTypes);
        output.WriteLine(result.Summary);

        var nodes = ForcedLayerKinds.AllNodes(int8.Graph).ToList();
        var expected = opTypes.Sum(k => k == "Conv" ? Convs : Lstms);
        Assert.Equal(expected, result.Changed.Count);
        Assert.All(result.Changed, c => Assert.StartsWith("If_25/", c.Node, StringComparison.Ordinal)); // all inside the branches
        foreach (var kind in DynamicLayerKinds.All.Where(k => opTypes.Contains(k.OpType)))
        {
            Assert.DoesNotContain(nodes, n => n.OpType == kind.OpType);
            Assert.Equal(kind.OpType == "Conv" ? Convs : Lstms, nodes.Count(n => n.OpType == kind.QuantizedForm));
        }

        var defined = ForcedLayerKinds.DefinedValues(int8.Graph).ToList();
        Assert.Equal(defined.Count, defined.Distinct().Count());
        Assert.True(OnnxModelWriter.ToBytes(int8).Length < OnnxModelWriter.ToBytes(fp32).Length);

        var signal = SileroStream.SpeechLikeSignal(seconds: 6);
        var (reference, quantized) = (SileroStream.Run(fp32, signal), SileroStream.Run(int8, signal));
        output.WriteLine($"speech probability per chunk, fp32: {string.Join(" ", reference["output"].Select(p => p.ToString("F2")))}");
        foreach (var (name, values) in reference)
        {
            var cosine = ForcedLayerKinds.Cosine(values, quantized[name]);
            var worst = values.Zip(quantized[name], (e, a) => Math.Abs(e - a)).Max();
            output.WriteLine($"{name}: cosine {cosine:F6}, largest difference {worst:F4} over {signal.Length / SileroStream.ChunkSamples} chunks");
            Assert.True(cosine >= (name == "output" ? minOutputCosine : minStateCosine), $"{name}: cosine {cosine:F6} to fp32");
        }
    }

    private static bool IsOf(string reportName, string opType) => reportName.Split('/')[^1].StartsWith(opType + "_", StringComparison.Ordinal);

    private static OnnxModel LoadSilero() => OnnxModelLoader.Load(Path.Combine(SharedData.Folder, "models", SileroStream.ModelFile));
}

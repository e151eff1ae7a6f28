using Optimizer.Engine.Calibration;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Calibration;

/// <summary>
/// Static INT8 calibrated from samples of any model signature, with the real ONNX Runtime executor:
/// int64 encoder inputs, a wake-word head whose batch is fixed at 1, and complete feeds with state inputs.
/// </summary>
public sealed class AnySignatureCalibrationTests(ITestOutputHelper output)
{
    private const string Key = "calib";

    private static PassRequest StaticInt8(string method = "MinMax") =>
        new("Quantize", new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = Key, ["CalibrationMethod"] = method });

    private static PassContext Context(SampleSet samples, IModelExecutor? executor = null) =>
        new() { CalibrationData = TestSamples.Named(Key, samples), Executor = executor ?? new OnnxRuntimeModelExecutor() };

    private static OnnxModel Load(string file) => OnnxModelLoader.Load(Path.Combine(SharedData.Folder, "models", file));

    [ConditionalFact("data")]
    public void Arctic_encoder_calibrates_from_int64_ids_and_keeps_its_weight_matmuls_quantized()
    {
        var model = Load("arctic_embed_xs.onnx");
        var samples = ArcticSentences(count: 6, tokens: 16);
        var recorder = new RecordingExecutor(new OnnxRuntimeModelExecutor());

        var result = PassPipeline.Run(model, [StaticInt8()], Context(samples, recorder));

        var quantize = result.Reports.Single(r => r.Pass == "Quantize");
        output.WriteLine(quantize.Summary);
        output.WriteLine(PassShortfall.FromSkips("left in float", quantize.Skipped).ToString());
        Assert.Contains("6 calibration samples", quantize.Summary);
        // One sample alone first (the probe that sizes batches to the activation budget), then all 6 in one run.
        Assert.Equal([[1, 16], [6, 16]], recorder.Feeds.Select(f => f["input_ids"]).Distinct(new ShapeComparer()).ToArray());
        var matmuls = MatMulFigures(model, result.Model);
        output.WriteLine($"MatMul: {matmuls.Quantized} of {matmuls.Total} quantized; weight MatMuls {matmuls.WeightQuantized} of {matmuls.Weight}");
        Assert.Equal(matmuls.Weight, matmuls.WeightQuantized);
        Assert.True(matmuls.Quantized * 2 > matmuls.Total, $"{matmuls.Quantized} of {matmuls.Total} MatMuls quantized");

        var feed = ArcticSentences(count: 2, tokens: 16, seed: 5).Feeds(2).Single();
        var cosine = Cosine(Run(model, feed), Run(result.Model, feed));
        output.WriteLine($"last_hidden_state cosine fp32 vs int8: {cosine:F4}");
        Assert.True(cosine > 0.97, $"cosine {cosine}"); // 0.93 with the residual sums into LayerNorm quantized too
        Assert.Equal(13, quantize.Skipped.Count(s => s.Reason.StartsWith("Add read by a ReduceMean", StringComparison.Ordinal)));
    }

    [ConditionalFact("data")]
    public void Padded_sentences_keep_the_attention_mask_bias_in_float()
    {
        var model = Load("arctic_embed_xs.onnx");
        var samples = Padded(ArcticSentences(count: 8, tokens: 64), realTokens: 12);
        var recorder = new RecordingExecutor(new OnnxRuntimeModelExecutor());

        var result = PassPipeline.Run(model, [StaticInt8()], Context(samples, recorder));

        // The Adds of the mask bias (padding positions get a huge negative score) stay float: an
        // attention model quantizes only MatMul inputs (AttentionModels): every Softmax reads float scores.
        var quantize = result.Reports.Single(r => r.Pass == "Quantize");
        Assert.Contains(quantize.Skipped, s => s.Reason.StartsWith("attention model", StringComparison.Ordinal));
        var graph = result.Model.Graph;
        var softmaxes = graph.Nodes.Where(n => n.OpType == "Softmax").ToList();
        Assert.Equal(6, softmaxes.Count);
        foreach (var softmax in softmaxes)
        {
            // The opset raise wraps each Softmax in Reshapes (its axis semantics changed at opset 13).
            var producer = graph.FindProducer(softmax.Inputs[0]);
            while (producer is { OpType: "Reshape" or "Flatten" })
            {
                producer = graph.FindProducer(producer.Inputs[0]);
            }

            Assert.Equal("Add", producer?.OpType);
        }

        var feed = Padded(ArcticSentences(count: 2, tokens: 64, seed: 5), realTokens: 12).Feeds(2).Single();
        var cosine = Cosine(Run(model, feed), Run(result.Model, feed));
        output.WriteLine($"last_hidden_state cosine fp32 vs int8 on padded sentences: {cosine:F4}");
        Assert.True(cosine > 0.9, $"cosine {cosine}"); // 0.76 pooled when the mask bias shared an int8 scale
    }

    [Fact]
    public void A_layer_whose_range_reaches_1e4_stays_float_with_the_reason()
    {
        // x + a bias of -3.4e38 on half the features (a mask written as a bias), then a weighted MatMul.
        var model = GraphBuilder.MatMul(8, 4);
        var bias = Enumerable.Range(0, 8).Select(i => i % 2 == 0 ? 0f : -3.4e38f).ToArray();
        model.Graph.Initializers.Add(OnnxTensor.FromFloats("mask_bias", [8], bias));
        model.Graph.Nodes.Insert(0, new OnnxNode("Add", ["x", "mask_bias"], ["masked"], "mask_add"));
        model.Graph.Nodes[1].Inputs[0] = "masked";
        var samples = new StackedSamples([new StackedInput("x", DataTensor.FromFloats(GraphBuilder.Values(16 * 8, 2), [16, 8]), RowIsWholeInput: false)], batchable: true) { Source = "16 rows" };

        var quantize = PassPipeline.Run(model, [StaticInt8()], Context(samples)).Reports.Single(r => r.Pass == "Quantize");

        Assert.Contains(quantize.Skipped, s => s.Reason.Contains("too wide for 8 bits", StringComparison.Ordinal));
    }

    /// <summary>The samples with only the first <paramref name="realTokens"/> tokens real and the rest padding (id 0, mask 0).</summary>
    private static StackedSamples Padded(StackedSamples samples, int realTokens)
    {
        var ids = samples.Inputs[0].Values;
        var (count, tokens) = ((int)ids.Shape[0], (int)ids.Shape[1]);
        var padded = ids.Values<long>().ToArray();
        var mask = new long[padded.Length];
        for (var i = 0; i < padded.Length; i++)
        {
            if (i % tokens < realTokens)
                mask[i] = 1;
            else
                padded[i] = 0;
        }

        long[] shape = [count, tokens];
        return new StackedSamples(
        [
            new StackedInput("input_ids", DataTensor.FromInt64(padded, shape), RowIsWholeInput: false),
            new StackedInput("attention_mask", DataTensor.FromInt64(mask, shape), RowIsWholeInput: false),
            new StackedInput("token_type_ids", DataTensor.FromInt64(new long[padded.Length], shape), RowIsWholeInput: false),
        ], batchable: true) { Source = $"{count} padded sentences" };
    }

    [ConditionalFact("data")]
    public void Wake_word_head_with_a_fixed_batch_of_1_calibrates_from_8_samples_one_run_each()
    {
        var model = Load("hello_deepa.onnx");
        var random = new Random(3);
        var windows = Enumerable.Range(0, 8).SelectMany(_ => Quantization.HelloDeepa.Features(random)).ToArray();
        var samples = new StackedSamples([new StackedInput("onnx::Flatten_0", DataTensor.FromFloats(windows, [8, 1, 25, 96]).Reshape([8, 25, 96]), RowIsWholeInput: false)], batchable: false)
        {
            Source = "8 windows",
        };
        var recorder = new RecordingExecutor(new OnnxRuntimeModelExecutor());

        var result = PassPipeline.Run(model, [StaticInt8()], Context(samples, recorder));

        var quantize = result.Reports.Single(r => r.Pass == "Quantize");
        output.WriteLine(quantize.Summary);
        Assert.Contains("8 calibration samples", quantize.Summary);
        Assert.Null(quantize.Shortfall);
        Assert.Equal(8, recorder.Feeds.Count);
        Assert.All(recorder.Feeds, f => Assert.Equal([1L, 25, 96], f["onnx::Flatten_0"]));
        var (max, mean) = Quantization.HelloDeepa.ScoreDifferences(model, result.Model);
        output.WriteLine($"score |Δ| max {max:F4} mean {mean:F4}");
        Assert.True(max < 0.1, $"score difference {max}");
    }

    [ConditionalFact("data")]
    public void Silero_vad_calibrates_from_complete_feeds_with_its_state_and_sample_rate_inputs()
    {
        // Its layers sit in If branches, which static INT8 leaves (it says so); the calibrator itself runs the complete feeds.
        var model = Load("silero_vad_legacy.onnx");
        var chunks = Quantization.SharedModelFeeds.AudioChunks(model, SharedData.Folder);
        var feeds = new FeedList(["input", "sr", "h", "c"], chunks.Count,
            i => chunks[i].ToDictionary(t => t.Name, t => new DataTensor(t.ElementType, t.Dims.ToArray(), t.ToRawBytes())))
        {
            Source = $"{chunks.Count} test_data_set folders",
        };
        var recorder = new RecordingExecutor(new OnnxRuntimeModelExecutor());

        var ranges = ActivationCalibrator.Calibrate(model, feeds, recorder, ["input", "h", "output", "hn"], new CalibrationSettings(CalibrationMethod.MinMax, 99.999)).Ranges;

        Assert.Equal(4, recorder.Feeds.Count);
        Assert.All(recorder.Feeds, f => Assert.Equal([], f["sr"]));
        Assert.All(recorder.Feeds, f => Assert.Equal([2L, 1, 64], f["h"]));
        output.WriteLine(string.Join(", ", ranges.Select(r => $"{r.Key} [{r.Value.Min:G3}, {r.Value.Max:G3}]")));
        Assert.InRange(ranges["input"].Max, 0.5f, 0.56f); // 0.5 sin + 0.05 noise
        Assert.Equal(new TensorRange(0, 0), ranges["h"]); // zero state
        Assert.True(ranges["output"].Max > 0 && ranges["hn"].Max > ranges["hn"].Min);

        var quantize = PassPipeline.Run(model, [StaticInt8()], Context(feeds)).Reports.Single(r => r.Pass == "Quantize");
        var shortfall = Assert.IsType<PassShortfall>(quantize.Shortfall);
        output.WriteLine(shortfall.ToString());
        Assert.Contains("inside a subgraph of", Assert.Single(shortfall.Reasons));
    }

    [ConditionalFact("data")]
    public void Samples_of_the_wrong_element_type_name_the_samples_and_their_source()
    {
        var model = Load("arctic_embed_xs.onnx");
        var ids = new StackedSamples(
        [
            new StackedInput("input_ids", DataTensor.FromFloats(new float[2 * 4], [2, 4]), RowIsWholeInput: false),
            new StackedInput("attention_mask", DataTensor.FromInt64(new long[2 * 4], [2, 4]), RowIsWholeInput: false),
            new StackedInput("token_type_ids", DataTensor.FromInt64(new long[2 * 4], [2, 4]), RowIsWholeInput: false),
        ], batchable: true) { Source = "2 samples from 'Data/ids.npz'" };

        var error = Assert.Throws<PassException>(() => PassPipeline.Run(model, [StaticInt8()], Context(ids)));

        Assert.Equal(PassErrorCodes.CalibrationShapeMismatch, error.Code);
        Assert.Contains("calibration samples 0..1 of 2 samples from 'Data/ids.npz'", error.Message);
        Assert.Contains("input 'input_ids' is Float but the model takes Int64", error.Message);
    }

    /// <summary>Sentences of whole-word ids from the model's vocabulary ([CLS] … [SEP]), masks of ones, one segment.</summary>
    private static StackedSamples ArcticSentences(int count, int tokens, int seed = 11)
    {
        var vocabulary = File.ReadAllLines(Path.Combine(SharedData.Folder, "models", "arctic_embed_xs.vocab.txt")).Select(l => l.TrimEnd('\r')).ToList();
        var (cls, sep) = (vocabulary.IndexOf("[CLS]"), vocabulary.IndexOf("[SEP]"));
        var firstWord = vocabulary.FindIndex(t => t.Length > 1 && t.All(char.IsAsciiLetterLower));
        var random = new Random(seed);
        var ids = Enumerable.Range(0, count).SelectMany(_ =>
            new long[] { cls }.Concat(Enumerable.Range(0, tokens - 2).Select(_ => (long)random.Next(firstWord, vocabulary.Count))).Append(sep)).ToArray();
        long[] shape = [count, tokens];
        return new StackedSamples(
        [
            new StackedInput("input_ids", DataTensor.FromInt64(ids, shape), RowIsWholeInput: false),
            new StackedInput("attention_mask", DataTensor.FromInt64(Enumerable.Repeat(1L, ids.Length).ToArray(), shape), RowIsWholeInput: false),
            new StackedInput("token_type_ids", DataTensor.FromInt64(new long[ids.Length], shape), RowIsWholeInput: false),
        ], batchable: true) { Source = $"{count} sentences" };
    }

    private sealed record MatMuls(int Total, int Quantized, int Weight, int WeightQuantized);

    /// <summary>MatMuls of the float model, and how many read a DequantizeLinear output in the quantized one (weight MatMuls: a constant operand, also behind a Transpose).</summary>
    private static MatMuls MatMulFigures(OnnxModel original, OnnxModel quantized)
    {
        bool IsWeight(OnnxGraph g, string value) =>
            g.FindConstant(value) is not null || g.FindProducer(value) is { OpType: "Transpose" } t && g.FindConstant(t.Inputs[0]) is not null;
        var graph = quantized.Graph;
        var nodes = graph.Nodes.Where(n => n.OpType == "MatMul").ToList();
        bool Quantized(OnnxNode n) => n.Inputs.All(i => graph.FindProducer(i)?.OpType == "DequantizeLinear");
        var weightNames = original.Graph.Nodes.Where(n => n.OpType == "MatMul" && n.Inputs.Any(i => IsWeight(original.Graph, i))).Select(LayerNameOf).ToHashSet();
        var weight = nodes.Where(n => weightNames.Contains(LayerNameOf(n))).ToList();
        return new MatMuls(original.Graph.Nodes.Count(n => n.OpType == "MatMul"), nodes.Count(Quantized), weightNames.Count, weight.Count(Quantized));
    }

    private static string LayerNameOf(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.Outputs[0];

    private static float[] Run(OnnxModel model, Feed feed)
    {
        using var session = new OnnxRuntimeModelExecutor().Open(model, [model.Graph.Outputs[0].Name]);
        return session.Run(feed.Inputs)[0].Values;
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    /// <summary>The real executor, recording the shapes of every feed it runs.</summary>
    private sealed class RecordingExecutor(IModelExecutor inner) : IModelExecutor
    {
        public List<Dictionary<string, long[]>> Feeds { get; } = new();

        public IModelSession Open(OnnxModel model, IReadOnlyList<string> observed) => new Session(inner.Open(model, observed), Feeds);

        private sealed class Session(IModelSession inner, List<Dictionary<string, long[]>> feeds) : IModelSession
        {
            public IReadOnlyList<FloatTensor> Run(IReadOnlyDictionary<string, DataTensor> inputs)
            {
                feeds.Add(inputs.ToDictionary(i => i.Key, i => i.Value.Shape));
                return inner.Run(inputs);
            }

            public void Dispose() => inner.Dispose();
        }
    }

    private sealed class ShapeComparer : IEqualityComparer<long[]>
    {
        public bool Equals(long[]? x, long[]? y) => x!.SequenceEqual(y!);

        public int GetHashCode(long[] obj) => obj.Length == 0 ? 0 : HashCode.Combine(obj.Length, obj[0], obj[^1]);
    }
}

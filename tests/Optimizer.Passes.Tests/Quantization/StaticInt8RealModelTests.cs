using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Tests.Support;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>Static INT8 on the digits models and ch_ppocr cls, checked in ONNX Runtime.</summary>
public sealed class StaticInt8RealModelTests(ITestOutputHelper output)
{
    [Fact]
    public void Digits_cnn_keeps_fp32_accuracy_and_runs_as_fused_quantized_kernels()
    {
        if (SharedData.Folder is not { } data)
        {
            output.WriteLine("SKIPPED: ../shared/data is absent; the digits CNN check did not run.");
            return;
        }

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "digits_cnn.onnx"));
        var result = PassPipeline.Run(model, [DigitsData.StaticInt8()], DigitsData.Context(data));
        var (fp32, int8) = (DigitsData.Accuracy(model, data), DigitsData.Accuracy(result.Model, data));
        var fused = OrtOptimizedGraph.OperatorCounts(result.Model);
        output.WriteLine(result.Reports[0].Summary);
        output.WriteLine($"digits_cnn: top-1 {fp32:P2} (fp32) → {int8:P2} (static int8); ORT optimized graph: {OrtOptimizedGraph.Describe(fused)}");

        Assert.True(int8 >= 0.991 && fp32 - int8 <= 0.003, $"static int8 top-1 {int8:P2} vs fp32 {fp32:P2}");
        Assert.Equal(2, fused.GetValueOrDefault("QLinearConv"));
        Assert.Equal(1, fused.GetValueOrDefault("QGemm"));
        Assert.False(fused.ContainsKey("DequantizeLinear"), "a Dequantize→fp32 island is left");
        Assert.False(fused.ContainsKey("Conv"));
    }

    [Fact]
    public void Digits_mlp_keeps_its_accuracy_and_is_under_30_percent_of_fp32()
    {
        if (SharedData.Folder is not { } data)
        {
            output.WriteLine("SKIPPED: ../shared/data is absent; the digits MLP check did not run.");
            return;
        }

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "digits_mlp.onnx"));
        var result = PassPipeline.Run(model, [DigitsData.StaticInt8()], DigitsData.Context(data));
        var (fp32, int8) = (DigitsData.Accuracy(model, data), DigitsData.Accuracy(result.Model, data));
        var (before, after) = (OnnxModelWriter.ToBytes(model).Length, OnnxModelWriter.ToBytes(result.Model).Length);
        var fused = OrtOptimizedGraph.OperatorCounts(result.Model);
        output.WriteLine(result.Reports[0].Summary);
        output.WriteLine($"digits_mlp: top-1 {fp32:P2} → {int8:P2}; {before} → {after} bytes ({100.0 * after / before:F1}%); ORT optimized graph: {OrtOptimizedGraph.Describe(fused)}");

        Assert.True(fp32 - int8 <= 0.003, $"static int8 top-1 {int8:P2} vs fp32 {fp32:P2}");
        Assert.True(after <= before * 0.30, $"{after} bytes is more than 30% of {before}");
        Assert.Equal(3, fused.GetValueOrDefault("QGemm"));
        Assert.False(fused.ContainsKey("DequantizeLinear"));
    }

    [Fact]
    public void A_cached_calibration_is_reused_and_gives_the_same_model()
    {
        if (SharedData.Folder is not { } data)
        {
            output.WriteLine("SKIPPED: ../shared/data is absent.");
            return;
        }

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "digits_mlp.onnx"));
        var cache = new MemoryCache();
        var context = DigitsData.Context(data);
        var cached = new PassContext { CalibrationData = context.CalibrationData, Executor = context.Executor, CalibrationCache = cache };
        var first = PassPipeline.Run(model, [DigitsData.StaticInt8()], cached);
        var withoutExecutor = new PassContext { CalibrationData = context.CalibrationData, Executor = new FailingExecutor(), CalibrationCache = cache };
        var second = PassPipeline.Run(model, [DigitsData.StaticInt8()], withoutExecutor);

        Assert.Single(cache.Entries);
        Assert.Contains("cached calibration", second.Reports[0].Summary);
        Assert.Equal(OnnxModelWriter.ToBytes(first.Model), OnnxModelWriter.ToBytes(second.Model));
    }

    [Fact]
    public void Ppocr_cls_is_quantized_or_reports_why_not()
    {
        if (SharedData.Folder is not { } data)
        {
            output.WriteLine("SKIPPED: ../shared/data is absent.");
            return;
        }

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        var input = model.Graph.Inputs[0];
        var shape = input.Type!.Shape!.Select(d => d.Size ?? 4).ToArray();
        shape[0] = 8;
        var random = new Random(3);
        var samples = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)(random.NextDouble() * 2 - 1);
        }

        var context = new PassContext
        {
            CalibrationData = new Dictionary<string, CalibrationDataSet> { ["random"] = new(samples, shape) },
            Executor = new OnnxRuntimeModelExecutor(),
        };
        var request = new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = "random" });
        var result = PassPipeline.Run(model, [request], context);
        var (before, after) = (OnnxModelWriter.ToBytes(model).Length, OnnxModelWriter.ToBytes(result.Model).Length);
        output.WriteLine(result.Reports[0].Summary);
        output.WriteLine($"ch_ppocr cls: {before} → {after} bytes ({100.0 * after / before:F1}%)");
        foreach (var skip in result.Reports[0].Skipped.Take(5))
        {
            output.WriteLine($"  skipped {skip.Node}: {skip.Reason}");
        }

        if (result.Reports[0].Changed.Count > 0)
        {
            output.WriteLine($"ORT optimized graph: {OrtOptimizedGraph.Describe(OrtOptimizedGraph.OperatorCounts(result.Model))}");
            // Known gap, not the 30% target: ~35.7% of the fp32 file (was ~43.8% before the compact QDQ
            // output: short generated names, shared scales/zero points, no value_info). int8 weights are
            // ~21.5%, int32 biases ~2.3%, the per-channel weight and bias scales ~4.6% and the 568 nodes
            // (413 Q/DQ) ~5.9%. Per-tensor weights everywhere (WeightGranularity=PerTensor) reach ~30.9%
            // but lose argmax agreement; Auto keeps per channel where per tensor costs > 1 dB SQNR, which
            // on this model is all but one layer (see WeightGranularityTests).
            Assert.True(after <= before * 0.36, $"{after} bytes is more than 36% of {before}");
        }
        else
        {
            Assert.NotEmpty(result.Reports[0].Skipped);
        }
    }

    private sealed class MemoryCache : ICalibrationCache
    {
        public Dictionary<string, byte[]> Entries { get; } = new();

        public byte[]? TryGet(string key) => Entries.GetValueOrDefault(key);

        public void Set(string key, byte[] result) => Entries[key] = result;
    }

    private sealed class FailingExecutor : IModelExecutor
    {
        public IModelSession Open(OnnxModel model, IReadOnlyList<string> observed) => throw new InvalidOperationException("calibration should come from the cache");
    }
}

using Optimizer.Engine.Calibration;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Pruning;
using Optimizer.Passes.Quantization;
using Optimizer.Passes.Tests.Support;
using static Optimizer.Passes.Tests.Support.GraphBuilder;

namespace Optimizer.Passes.Tests.BiasCorrection;

/// <summary>Bias correction after pruning and inside static INT8, on graphs small enough to check by hand.</summary>
public sealed class BiasCorrectionTests
{
    private const string Key = "calib";

    private static PassContext Context(float[] values, params long[] shape) => new()
    {
        CalibrationData = TestSamples.Named(Key, TestSamples.Floats("x", values, shape)),
        Executor = new OnnxRuntimeModelExecutor(),
    };

    private static (OnnxModel Model, PassReport Report) Prune(OnnxModel model, PassContext context, params (string Name, string Value)[] options)
    {
        var copy = model.Clone();
        var report = PrunePass.Create(options.ToDictionary(o => o.Name, o => o.Value), context, null).Run(copy);
        return (copy, report);
    }

    /// <summary>y = alpha · x · Bᵀ + beta · C, B = [[1, 0.1], [-0.2, 2]].</summary>
    private static OnnxModel TinyGemm(float alpha, float beta, bool bias = true)
    {
        var graph = new OnnxGraph("gemm");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(2)));
        graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(2)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B", [2, 2], [1f, 0.1f, -0.2f, 2f]));
        if (bias)
        {
            graph.Initializers.Add(OnnxTensor.FromFloats("C", [2], [0.5f, -0.5f]));
        }

        var gemm = new OnnxNode("Gemm", bias ? ["x", "B", "C"] : ["x", "B"], ["y"], "gemm");
        gemm.SetAttribute(OnnxAttribute.FromInt("transB", 1));
        gemm.SetAttribute(OnnxAttribute.FromFloat("alpha", alpha));
        gemm.SetAttribute(OnnxAttribute.FromFloat("beta", beta));
        graph.Nodes.Add(gemm);
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }

    // E[x] = [2, 3]; pruning half of B per layer zeroes 0.1 and -0.2, so (B' − B)·E[x] = [-0.1·3, 0.2·2] = [-0.3, 0.4].
    private static readonly float[] TwoSamples = [1, 2, 3, 4];

    [Fact]
    public void Gemm_bias_absorbs_the_mean_shift_of_the_pruned_weights()
    {
        var (model, report) = Prune(TinyGemm(1, 1), Context(TwoSamples, 2, 2), ("Sparsity", "0.5"), ("Scope", "Layer"), ("Calibration", Key));

        Assert.Equal([1f, 0f, 0f, 2f], model.Graph.FindInitializer("B")!.ToFloatArray());
        var c = model.Graph.FindInitializer("C")!.ToFloatArray();
        Assert.Equal(0.5 + 0.3, c[0], 5);
        Assert.Equal(-0.5 - 0.4, c[1], 5);
        Assert.Contains("bias corrected in 1 layers", report.Summary);
        Assert.Contains("max |Δb| 0.4 (channel 1)", Assert.Single(report.Changed).Detail);
    }

    [Fact]
    public void Gemm_alpha_and_beta_scale_the_correction()
    {
        // shift = alpha · [-0.3, 0.4] = [-0.6, 0.8]; C absorbs shift / beta = [-1.2, 1.6].
        var (model, _) = Prune(TinyGemm(2, 0.5f), Context(TwoSamples, 2, 2), ("Sparsity", "0.5"), ("Scope", "Layer"), ("Calibration", Key));

        var c = model.Graph.FindInitializer("C")!.ToFloatArray();
        Assert.Equal(0.5 + 1.2, c[0], 5);
        Assert.Equal(-0.5 - 1.6, c[1], 5);
    }

    [Fact]
    public void Gemm_without_bias_gets_one_and_beta_one()
    {
        var (model, _) = Prune(TinyGemm(1, 0.25f, bias: false), Context(TwoSamples, 2, 2), ("Sparsity", "0.5"), ("Scope", "Layer"), ("Calibration", Key));

        var gemm = Assert.Single(model.Graph.Nodes);
        Assert.Equal(3, gemm.Inputs.Count);
        Assert.Equal(1f, gemm.FindAttribute("beta")!.Float);
        var c = model.Graph.FindInitializer(gemm.Inputs[2])!.ToFloatArray();
        Assert.Equal(0.3, c[0], 5);
        Assert.Equal(-0.4, c[1], 5);
    }

    [Fact]
    public void Conv_correction_counts_padding_exactly()
    {
        // One 2×2 input map [[1, 2], [3, 4]] (both samples), kernel [[1, 0.1], [0.2, 1]] with pads 1 → 3×3 outputs.
        // Pruning zeroes 0.1 and 0.2; with full padding every kernel tap reads each input pixel once, so the
        // mean output shift is (−0.1 − 0.2) · (1 + 2 + 3 + 4) / 9 = −1/3, and the new bias is +1/3.
        // (Ignoring padding, i.e. Δ·mean(x), would give −0.3 · 2.5 = −0.75.)
        var graph = new OnnxGraph("conv");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("n"), Dim.Fixed(1), Dim.Fixed(2), Dim.Fixed(2)));
        graph.Outputs.Add(Tensor("y", Dim.Named("n"), Dim.Fixed(1), Dim.Fixed(3), Dim.Fixed(3)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W", [1, 1, 2, 2], [1f, 0.1f, 0.2f, 1f]));
        var conv = new OnnxNode("Conv", ["x", "W"], ["y"], "conv");
        conv.SetAttribute(OnnxAttribute.FromInts("pads", [1, 1, 1, 1]));
        graph.Nodes.Add(conv);
        var model = new OnnxModel(graph, [new OpsetImport("", 13)]);

        var (pruned, report) = Prune(model, Context([1, 2, 3, 4, 1, 2, 3, 4], 2, 1, 2, 2), ("Sparsity", "0.5"), ("Scope", "Layer"), ("Calibration", Key));

        var node = Assert.Single(pruned.Graph.Nodes);
        Assert.Equal(1.0 / 3, Assert.Single(pruned.Graph.FindInitializer(node.Inputs[2])!.ToFloatArray()), 5);
        Assert.Contains("bias corrected", Assert.Single(report.Changed).Detail);
    }

    [Fact]
    public void Corrected_conv_keeps_the_float_models_mean_output_with_stride_group_and_uneven_pads()
    {
        // The defining property: E[y] over the calibration data is unchanged by pruning + correction.
        var graph = new OnnxGraph("conv");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("n"), Dim.Fixed(4), Dim.Fixed(7), Dim.Fixed(6)));
        graph.Outputs.Add(Tensor("y", Dim.Named("n"), Dim.Fixed(6), Dim.Unknown, Dim.Unknown));
        graph.Initializers.Add(OnnxTensor.FromFloats("W", [6, 2, 3, 3], Values(6 * 2 * 9, 7)));
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [6], Values(6, 8)));
        var conv = new OnnxNode("Conv", ["x", "W", "b"], ["y"], "conv");
        conv.SetAttribute(OnnxAttribute.FromInts("pads", [1, 0, 2, 1]));
        conv.SetAttribute(OnnxAttribute.FromInts("strides", [2, 1]));
        conv.SetAttribute(OnnxAttribute.FromInts("dilations", [1, 2]));
        conv.SetAttribute(OnnxAttribute.FromInt("group", 2));
        graph.Nodes.Add(conv);
        var model = new OnnxModel(graph, [new OpsetImport("", 13)]);
        var data = Values(5 * 4 * 7 * 6, 9).Select(v => v + 0.5f).ToArray(); // a non-zero mean, so the shift is not zero

        var (pruned, _) = Prune(model, Context(data, 5, 4, 7, 6), ("Sparsity", "0.5"), ("Calibration", Key));
        var (uncorrected, _) = Prune(model, Context(data, 5, 4, 7, 6), ("Sparsity", "0.5"), ("Calibration", Key), ("BiasCorrection", "false"));

        var expected = ChannelMeans(model, data);
        var corrected = ChannelMeans(pruned, data);
        var before = ChannelMeans(uncorrected, data);
        for (var c = 0; c < expected.Length; c++)
        {
            Assert.Equal(expected[c], corrected[c], 4);
        }

        Assert.True(expected.Zip(before).Max(p => Math.Abs(p.First - p.Second)) > 1e-2, "the test data should make pruning shift the mean");
    }

    private static double[] ChannelMeans(OnnxModel model, float[] data)
    {
        var y = Ort.Run(model, ("x", data, [5, 4, 7, 6]));
        var perChannel = y.Length / 5 / 6;
        var means = new double[6];
        for (var i = 0; i < y.Length; i++)
        {
            means[i / perChannel % 6] += y[i];
        }

        return means.Select(m => m / (5.0 * perChannel)).ToArray();
    }

    [Fact]
    public void Without_calibration_data_nothing_is_corrected_and_the_report_says_why()
    {
        var (model, report) = Prune(TinyGemm(1, 1), PassContext.Empty, ("Sparsity", "0.5"), ("Scope", "Layer"));

        Assert.Equal([0.5f, -0.5f], model.Graph.FindInitializer("C")!.ToFloatArray());
        Assert.Contains("no bias correction (no calibration data", report.Summary);
    }

    [Fact]
    public void BiasCorrection_false_leaves_the_bias_alone()
    {
        var (model, report) = Prune(TinyGemm(1, 1), Context(TwoSamples, 2, 2), ("Sparsity", "0.5"), ("Scope", "Layer"), ("Calibration", Key), ("BiasCorrection", "false"));

        Assert.Equal([0.5f, -0.5f], model.Graph.FindInitializer("C")!.ToFloatArray());
        Assert.DoesNotContain("bias", report.Summary);
    }

    [Fact]
    public void A_named_data_set_that_was_not_loaded_is_an_error()
    {
        var e = Assert.Throws<PassException>(() => Prune(TinyGemm(1, 1), Context(TwoSamples, 2, 2), ("Calibration", "other.npy")));
        Assert.Equal(PassErrorCodes.PruneCalibrationDataMissing, e.Code);
    }

    [Fact]
    public void Correction_without_an_executor_is_an_error()
    {
        var context = new PassContext { CalibrationData = TestSamples.Named(Key, TestSamples.Floats("x", TwoSamples, 2, 2)) };
        var e = Assert.Throws<PassException>(() => Prune(TinyGemm(1, 1), context, ("Calibration", Key)));
        Assert.Equal(PassErrorCodes.BiasCorrectionExecutorMissing, e.Code);
    }

    [Fact]
    public void Prune_uses_the_static_quantizations_calibration_data_in_the_pipeline_and_is_deterministic()
    {
        var context = Context(Values(64 * 16, 4), 64, 16);
        PassRequest[] requests =
        [
            new("Prune", new Dictionary<string, string> { ["Sparsity"] = "0.5" }),
            new("Quantize", new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = Key }),
        ];
        var model = GraphBuilder.Gemm(16, 8, 1, 1);

        var first = PassPipeline.Run(model, requests, context);
        var second = PassPipeline.Run(model, requests, context);

        Assert.Contains($"Quantize's calibration data '{Key}'", first.Reports[0].Summary);
        Assert.Equal(OnnxModelWriter.ToBytes(first.Model), OnnxModelWriter.ToBytes(second.Model));
    }

    [Fact]
    public void Nm_sparsity_corrects_biases_too()
    {
        var graph = new OnnxGraph("gemm");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(4)));
        graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(1)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B", [1, 4], [1f, 0.1f, 0.2f, 2f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("C", [1], [0f]));
        var gemm = new OnnxNode("Gemm", ["x", "B", "C"], ["y"], "gemm");
        gemm.SetAttribute(OnnxAttribute.FromInt("transB", 1));
        graph.Nodes.Add(gemm);

        // E[x] = [1, 2, 3, 4]; 2:4 zeroes 0.1 and 0.2: shift = −0.1·2 − 0.2·3 = −0.8.
        var (model, report) = Prune(new OnnxModel(graph, [new OpsetImport("", 13)]), Context([1, 2, 3, 4], 1, 4), ("Structure", "NM2x4"), ("Calibration", Key));

        Assert.Equal(0.8, Assert.Single(model.Graph.FindInitializer("C")!.ToFloatArray()), 5);
        Assert.Contains("bias corrected", Assert.Single(report.Changed).Detail);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData(null, false)]
    public void Quantize_BiasCorrection_option_turns_static_int8_correction_on(string? option, bool corrected)
    {
        var options = new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = Key, ["CalibrationMethod"] = "MinMax" };
        if (option is not null)
            options["BiasCorrection"] = option;

        var result = PassPipeline.Run(TwoWeightGemm(), [new PassRequest("Quantize", options)], Context([0, 1, 0, 3], 2, 2));

        var detail = Assert.Single(result.Reports.Single(r => r.Pass == "Quantize").Changed, c => c.Node == "gemm").Detail;
        Assert.Equal(corrected, detail.Contains("bias corrected", StringComparison.Ordinal));
    }

    [Fact]
    public void Static_int8_correction_targets_the_dequantized_weights()
    {
        // Weights [1, 0.3] per output channel with 7 bits: scale 1/63, 0.3 → round(18.9) = 19 → 19/63.
        // E[x] = [0, 2]: shift = (19/63 − 0.3) · 2, taken from the float bias before it becomes int32.
        var model = TwoWeightGemm();
        var options = new StaticInt8Options(Key, new CalibrationSettings(CalibrationMethod.MinMax, 99.999), QuantizedActivationType.UInt8, ReduceRange: true, BiasCorrection: true);

        var report = new StaticInt8Quantization(options, Context([0, 1, 0, 3], 2, 2)).Run(model);

        var expected = -(19.0 / 63 - 0.3) * 2;
        var detail = Assert.Single(report.Changed, c => c.Node == "gemm").Detail;
        Assert.Contains("bias corrected", detail);
        Assert.Contains(FormattableString.Invariant($"max |Δb| {Math.Abs(expected):G3}"), detail);
        var biasDq = model.Graph.Nodes.Single(n => n.OpType == "Gemm").Inputs[2];
        var dq = model.Graph.FindProducer(biasDq)!;
        var q = model.Graph.FindInitializer(dq.Inputs[0])!;
        var s = model.Graph.FindInitializer(dq.Inputs[1])!.ToFloatArray()[0];
        Assert.Equal(expected, q.ToInt32Array()[0] * s, 3);
    }

    /// <summary>y = Gemm(x, B = [[1, 0.3]], C = [0], transB): one output, weights [1, 0.3].</summary>
    private static OnnxModel TwoWeightGemm()
    {
        var graph = new OnnxGraph("gemm");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(2)));
        graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(1)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B", [1, 2], [1f, 0.3f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("C", [1], [0f]));
        var gemm = new OnnxNode("Gemm", ["x", "B", "C"], ["y"], "gemm");
        gemm.SetAttribute(OnnxAttribute.FromInt("transB", 1));
        graph.Nodes.Add(gemm);
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }
}

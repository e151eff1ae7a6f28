using Optimizer.Onnx;
using Optimizer.Passes.Opset;
using Optimizer.Passes.Quantization.Recurrent;
using Optimizer.Passes.Tests.Cleanup;
using Optimizer.Passes.Tests.Support;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Quantization.Recurrent;

/// <summary>
/// Conv → ConvInteger and LSTM → DynamicQuantizeLSTM on small models, with the kinds switched on
/// (<see cref="ForcedLayerKinds"/>): the rewritten model loads in ONNX Runtime, its outputs stay
/// close to the float model's, the float weights are gone and the int8 ones are in range; and,
/// under the speed table as it is, DynamicInt8 leaves them float and says why.
/// </summary>
public sealed class ConvLstmRewriteTests(ITestOutputHelper output)
{
    private const int WeightLimit = 63; // 7-bit weights (ReduceRange, the default)

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Conv_becomes_ConvInteger_and_stays_close_to_float(bool perChannel)
    {
        var fp32 = ConvLstmModels.Conv2d();
        var int8 = fp32.Clone();
        var result = ForcedLayerKinds.Quantize(int8, ["Conv"], perChannel);

        Assert.Equal(["conv1", "conv2"], result.Changed.Select(c => c.Node));
        Assert.Empty(result.Skipped);
        Assert.DoesNotContain(int8.Graph.Nodes, n => n.OpType == "Conv");
        var convIntegers = int8.Graph.Nodes.Where(n => n.OpType == "ConvInteger").ToList();
        Assert.Equal(2, convIntegers.Count);
        Assert.Equal(4, convIntegers[1].FindAttribute("group")!.Int); // attributes carried over
        foreach (var conv in convIntegers)
        {
            Assert.Equal("DynamicQuantizeLinear", int8.Graph.FindProducer(conv.Inputs[0])!.OpType);
            Assert.All(int8.Graph.FindConstant(conv.Inputs[1])!.ToInt8Array(), v => Assert.InRange(v, -WeightLimit, WeightLimit));
            Assert.Empty(int8.Graph.FindConstant(conv.Inputs[3])!.Dims); // ORT's ConvInteger takes one filter zero point
        }

        Assert.Null(int8.Graph.FindInitializer("W1"));
        Assert.Null(int8.Graph.FindInitializer("W2"));
        var input = OnnxTensor.FromFloats("x", [1, 3, 8, 8], GraphBuilder.Values(192, seed: 20));
        AssertClose(fp32, int8, [input], minCosine: 0.999);
    }

    [Fact]
    public void Conv_in_If_branches_reads_outer_and_branch_weights_and_keeps_names_unique()
    {
        var fp32 = ConvLstmModels.ConvInIfBranches();
        var int8 = fp32.Clone();
        var result = ForcedLayerKinds.Quantize(int8, ["Conv"]);

        Assert.Equal(["branch/then_branch/conv_then", "branch/else_branch/conv_else"], result.Changed.Select(c => c.Node));
        Assert.Equal(2, ForcedLayerKinds.AllNodes(int8.Graph).Count(n => n.OpType == "ConvInteger"));
        Assert.DoesNotContain(ForcedLayerKinds.AllNodes(int8.Graph), n => n.OpType is "Conv" or "Constant");
        Assert.Null(int8.Graph.FindInitializer("W")); // the outer weight, replaced by its int8 copy beside it
        Assert.Contains(int8.Graph.Initializers, t => t.ElementType == TensorElementType.Int8 && t.Dims.SequenceEqual([6L, 4, 5]));
        var defined = ForcedLayerKinds.DefinedValues(int8.Graph).ToList();
        Assert.Equal(defined.Count, defined.Distinct().Count());

        var x = OnnxTensor.FromFloats("x", [1, 4, 16], GraphBuilder.Values(64, seed: 21));
        foreach (var flag in new[] { 1L, 0L })
        {
            AssertClose(fp32, int8, [x, OnnxTensor.FromInt64s("flag", [], [flag])], minCosine: 0.999);
        }
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Lstm_becomes_DynamicQuantizeLSTM_and_stays_close_to_float(bool bidirectional, bool perChannel)
    {
        var fp32 = ConvLstmModels.Lstm(bidirectional);
        var int8 = fp32.Clone();
        var result = ForcedLayerKinds.Quantize(int8, ["LSTM"], perChannel);

        Assert.Equal("lstm", Assert.Single(result.Changed).Node);
        var lstm = Assert.Single(int8.Graph.Nodes);
        Assert.Equal(("DynamicQuantizeLSTM", "com.microsoft"), (lstm.OpType, lstm.Domain));
        Assert.Null(lstm.FindAttribute("layout"));
        Assert.Equal(12, lstm.Inputs.Count);
        Assert.Equal(1, int8.GetOpsetVersion("com.microsoft"));
        var directions = bidirectional ? 2L : 1L;
        Assert.Equal([directions, 8, 64], int8.Graph.FindConstant(lstm.Inputs[1])!.Dims); // W stored [D, input, 4·hidden]
        Assert.Equal([directions, 16, 64], int8.Graph.FindConstant(lstm.Inputs[2])!.Dims);
        Assert.Equal(perChannel ? [directions, 64] : [directions], int8.Graph.FindConstant(lstm.Inputs[8])!.Dims);
        Assert.Null(int8.Graph.FindInitializer("W"));
        AssertClose(fp32, int8, ConvLstmModels.LstmInputs(bidirectional), minCosine: 0.999);
    }

    [Fact]
    public void A_batch_first_LSTM_is_skipped_with_its_reason()
    {
        var model = ConvLstmModels.Lstm(bidirectional: false, layout: 1);
        var result = ForcedLayerKinds.Quantize(model, ["LSTM"]);

        Assert.Empty(result.Changed);
        Assert.Contains("layout=1", Assert.Single(result.Skipped).Reason);
        Assert.Equal("LSTM", Assert.Single(model.Graph.Nodes).OpType);
    }

    [Fact]
    public void Weights_that_are_not_constant_rank_3_float_are_skipped_with_their_reasons()
    {
        var model = ConvLstmModels.Lstm(bidirectional: false);
        model.Graph.Initializers.RemoveAll(t => t.Name == "R");
        model.Graph.DeclaredInputs.Add(GraphBuilder.Tensor("R", Dim.Fixed(1), Dim.Fixed(64), Dim.Fixed(16))); // R given at run time
        var conv = ConvLstmModels.Conv2d();
        var w1 = conv.Graph.FindInitializer("W1")!;
        conv.Graph.Initializers[conv.Graph.Initializers.IndexOf(w1)] = OnnxTensor.FromFloats("W1", [4, 27], w1.ToFloatArray()); // rank 2

        Assert.Contains("not a constant", Assert.Single(ForcedLayerKinds.Quantize(model, ["LSTM"]).Skipped).Reason);
        var skipped = ForcedLayerKinds.Quantize(conv, ["Conv"]).Skipped;
        Assert.Contains("has shape [4,27]", Assert.Single(skipped).Reason);
        Assert.Equal("conv1", skipped[0].Node);
    }

    [Fact]
    public void An_opset_10_model_is_raised_to_11_for_DynamicQuantizeLinear()
    {
        var fp32 = ConvLstmModels.Conv2d(opset: 10);
        var int8 = fp32.Clone();
        var result = ForcedLayerKinds.Quantize(int8, ["Conv"]);

        Assert.Equal(OpsetRaise.ReportNode, result.Changed[0].Node);
        Assert.Equal(11, int8.GetOpsetVersion(""));
        AssertClose(fp32, int8, [OnnxTensor.FromFloats("x", [1, 3, 8, 8], GraphBuilder.Values(192, seed: 22))], minCosine: 0.999);
    }

    [Fact]
    public void DynamicInt8_keeps_the_kinds_the_speed_table_rules_out_float_and_says_why()
    {
        var model = ConvLstmModels.Conv2d();
        var before = OnnxModelWriter.ToBytes(model);
        var report = new Passes.Quantization.DynamicInt8Quantization(perChannel: true, reduceRange: true).Run(model);
        output.WriteLine(report.Summary);

        foreach (var kind in DynamicLayerKinds.All.Where(k => !k.Quantize))
        {
            Assert.Contains(kind.Measured, report.Summary);
        }

        var conv = DynamicLayerKinds.All.Single(k => k.OpType == "Conv");
        if (!conv.Quantize)
        {
            Assert.Equal(before, OnnxModelWriter.ToBytes(model));
            Assert.Equal(["conv1", "conv2"], report.Skipped.Select(s => s.Node));
            Assert.All(report.Skipped, s => Assert.Equal($"kept float: {conv.Measured}", s.Reason));
            Assert.Contains(report.Shortfall!.Reasons, r => r.Contains(conv.Measured));
        }
    }

    private void AssertClose(OnnxModel fp32, OnnxModel int8, IReadOnlyList<OnnxTensor> inputs, double minCosine)
    {
        var (expected, actual) = (OrtRunner.Run(fp32, inputs), OrtRunner.Run(int8, inputs));
        foreach (var (name, value) in expected)
        {
            var cosine = ForcedLayerKinds.Cosine(value.Values, actual[name].Values);
            output.WriteLine($"{name}: cosine {cosine:F6}");
            Assert.True(cosine >= minCosine, $"{name}: cosine {cosine:F6} < {minCosine}");
        }
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Quantization;

public sealed class DynamicInt8QuantizationTests
{
    private static readonly PassRequest DynamicInt8 = new("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" });

    private static readonly PassRequest PerTensor = new("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8", ["ActivationScales"] = "PerTensor" });

    [Fact]
    public void MatMul_becomes_per_row_quantization_and_MatMulIntegerToFloat_and_stays_close()
    {
        var model = GraphBuilder.MatMul(64, 16);
        var x = GraphBuilder.Values(8 * 64, 10);

        var result = PassPipeline.Run(model, [DynamicInt8]);

        Assert.Equal(["Abs", "ReduceMax", "Div", "QuantizeLinear", "MatMulIntegerToFloat"], result.Model.Graph.Nodes.Select(n => n.OpType));
        Assert.Null(result.Model.Graph.FindInitializer("W")); // float weight dropped
        Assert.Equal(TensorElementType.Int8, result.Model.Graph.Initializers.Single(t => t.Name == "W_quantized").ElementType);
        Assert.Null(result.Model.Graph.FindInitializer("W_zero_point")); // MatMulIntegerToFloat's default 0
        Assert.Equal(1, result.Model.GetOpsetVersion("com.microsoft"));
        Assert.Contains("per-row activations", result.Reports[0].Summary);
        AssertClose(Ort.Run(model, ("x", x, [8, 64])), Ort.Run(result.Model, ("x", x, [8, 64])), 0.02);
    }

    [Fact]
    public void Each_row_gets_the_result_it_gets_alone_whatever_its_batch_mates()
    {
        // Row 0 is 1000× the others: one scale per tensor would quantize rows 1..7 to a few levels.
        var model = GraphBuilder.MatMul(64, 16);
        var x = GraphBuilder.Values(8 * 64, 21);
        for (var i = 0; i < 64; i++)
        {
            x[i] *= 1000;
        }

        var perRow = PassPipeline.Run(model, [DynamicInt8]).Model;
        var perTensor = PassPipeline.Run(model, [PerTensor]).Model;
        var (rowBatch, tensorBatch) = (Ort.Run(perRow, ("x", x, [8, 64])), Ort.Run(perTensor, ("x", x, [8, 64])));
        var reference = Ort.Run(model, ("x", x, [8, 64]));
        for (var row = 1; row < 8; row++)
        {
            var alone = Ort.Run(perRow, ("x", x[(row * 64)..((row + 1) * 64)], [1, 64]));
            Assert.Equal(alone, rowBatch[(row * 16)..((row + 1) * 16)]);
        }

        // The same batch per tensor is far off for the small rows: the check above can fail.
        var smallRows = reference[16..];
        Assert.True(MaxRelativeError(smallRows, tensorBatch[16..]) > 0.05, "per-tensor scales should lose the small rows");
        Assert.True(MaxRelativeError(smallRows, rowBatch[16..]) < 0.02, "per-row scales should keep the small rows");
    }

    [Fact]
    public void An_all_zero_row_comes_out_exactly_zero()
    {
        // Its row maximum is 0: the codes of 0/0 are arbitrary, the row scale 0 zeroes the products.
        var model = GraphBuilder.MatMul(32, 8);
        var x = GraphBuilder.Values(3 * 32, 4);
        Array.Clear(x, 32, 32);

        var result = PassPipeline.Run(model, [DynamicInt8]).Model;

        var y = Ort.Run(result, ("x", x, [3, 32]));
        Assert.All(y[8..16], v => Assert.Equal(0f, v));
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Per_tensor_activations_keep_the_integer_chain_ORT_fuses()
    {
        var model = GraphBuilder.MatMul(64, 16);
        var x = GraphBuilder.Values(8 * 64, 10);

        var result = PassPipeline.Run(model, [PerTensor]);

        Assert.Equal(["DynamicQuantizeLinear", "MatMulInteger", "Cast", "Mul", "Mul"], result.Model.Graph.Nodes.Select(n => n.OpType));
        Assert.Null(result.Model.Graph.FindInitializer("W")); // float weight dropped
        Assert.Equal(TensorElementType.Int8, result.Model.Graph.Initializers.Single(t => t.Name == "W_quantized").ElementType);
        Assert.Equal([16L], result.Model.Graph.Initializers.Single(t => t.Name == "W_zero_point").Dims);
        AssertClose(Ort.Run(model, ("x", x, [8, 64])), Ort.Run(result.Model, ("x", x, [8, 64])), 0.02);
    }

    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(0.5f, 2f)]
    [InlineData(-1.5f, 0f)]
    public void Gemm_with_transB_alpha_and_beta_matches_float(float alpha, float beta)
    {
        var model = GraphBuilder.Gemm(32, 8, alpha, beta);
        var x = GraphBuilder.Values(4 * 32, 11);

        var result = PassPipeline.Run(model, [DynamicInt8]);

        Assert.DoesNotContain(result.Model.Graph.Nodes, n => n.OpType == "Gemm");
        Assert.Equal(beta != 0, result.Model.Graph.Nodes.Any(n => n.OpType == "Add"));
        AssertClose(Ort.Run(model, ("x", x, [4, 32])), Ort.Run(result.Model, ("x", x, [4, 32])), 0.02 * Math.Max(1, Math.Abs(alpha)));
    }

    [Fact]
    public void Gemm_with_a_runtime_bias_and_beta_scales_the_bias_at_run_time()
    {
        var model = GraphBuilder.Gemm(16, 4, 1f, 0.25f, constantBias: false);
        var x = GraphBuilder.Values(2 * 16, 12);
        var c = GraphBuilder.Values(4, 13);

        var result = PassPipeline.Run(model, [DynamicInt8]);

        AssertClose(Ort.Run(model, ("x", x, [2, 16]), ("C", c, [4])), Ort.Run(result.Model, ("x", x, [2, 16]), ("C", c, [4])), 0.02);
    }

    [Fact]
    public void Per_tensor_option_uses_scalar_scale_and_zero_point()
    {
        var request = new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8", ["PerChannel"] = "false" });

        var result = PassPipeline.Run(GraphBuilder.MatMul(8, 4), [request]);

        Assert.Empty(result.Model.Graph.Initializers.Single(t => t.Name == "W_scale").Dims);
        Assert.Contains("per-tensor", result.Reports[0].Summary);
    }

    [Fact]
    public void Runtime_weights_non_float_weights_and_transA_are_skipped_with_reasons()
    {
        var graph = new OnnxGraph("mixed");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Fixed(2), Dim.Fixed(4)));
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("w_runtime", Dim.Fixed(4), Dim.Fixed(4)));
        graph.Initializers.Add(OnnxTensor.FromInt32s("w_int", [4, 4], new int[16]));
        graph.Initializers.Add(OnnxTensor.FromFloats("w_3d", [1, 4, 4], new float[16]));
        graph.Initializers.Add(OnnxTensor.FromFloats("w_t", [2, 4], new float[8]));
        graph.Nodes.Add(new OnnxNode("MatMul", ["x", "w_runtime"], ["a"], "runtime"));
        graph.Nodes.Add(new OnnxNode("MatMul", ["x", "w_int"], ["b"], "int"));
        graph.Nodes.Add(new OnnxNode("MatMul", ["x", "w_3d"], ["c"], "three_d"));
        var transA = new OnnxNode("Gemm", ["x", "w_t"], ["d"], "trans_a");
        transA.SetAttribute(OnnxAttribute.FromInt("transA", 1));
        graph.Nodes.Add(transA);
        graph.Outputs.AddRange([GraphBuilder.Tensor("a"), GraphBuilder.Tensor("b"), GraphBuilder.Tensor("c"), GraphBuilder.Tensor("d")]);
        var model = new OnnxModel(graph, [new OpsetImport("", 13)]);

        var report = PassPipeline.Run(model, [DynamicInt8]).Reports[0];

        Assert.Empty(report.Changed);
        var reasons = report.Skipped.ToDictionary(s => s.Node, s => s.Reason);
        Assert.Contains("multiplies two run-time values", reasons["runtime"]);
        Assert.Contains("Int32", reasons["int"]);
        Assert.Contains("2-D", reasons["three_d"]);
        Assert.Contains("transA", reasons["trans_a"]);
        Assert.Contains("0 of 4", report.Summary);
    }

    [Fact]
    public void Overridable_initializer_weights_are_skipped()
    {
        var model = GraphBuilder.MatMul(4, 3);
        model.Graph.DeclaredInputs.Add(GraphBuilder.Tensor("W", Dim.Fixed(4), Dim.Fixed(3)));

        var report = PassPipeline.Run(model, [DynamicInt8]).Reports[0];

        Assert.Contains("graph input", Assert.Single(report.Skipped).Reason);
    }

    [Fact]
    public void Shared_weights_and_activations_are_quantized_once()
    {
        var model = GraphBuilder.MatMul(8, 4);
        model.Graph.Nodes.Add(new OnnxNode("MatMul", ["x", "W"], ["y2"], "matmul2"));
        model.Graph.Outputs.Add(GraphBuilder.Tensor("y2", Dim.Named("batch"), Dim.Fixed(4)));

        var result = PassPipeline.Run(model, [DynamicInt8]);

        Assert.Equal(2, result.Reports[0].Changed.Count);
        Assert.Single(result.Model.Graph.Nodes, n => n.OpType == "QuantizeLinear");
        Assert.Single(result.Model.Graph.Initializers, t => t.ElementType == TensorElementType.Int8 && t.Dims.Count == 2);
        var x = GraphBuilder.Values(8, 5);
        Assert.NotEmpty(Ort.Run(result.Model, ("x", x, [1, 8])));
    }

    [Fact]
    public void Weights_held_in_Constant_nodes_are_quantized_and_the_node_removed()
    {
        var model = GraphBuilder.MatMul(8, 4);
        var weight = model.Graph.Initializers.Single();
        model.Graph.Initializers.Clear();
        var constant = new OnnxNode("Constant", [], ["W"], "weight_constant");
        constant.SetAttribute(OnnxAttribute.FromTensor("value", weight));
        model.Graph.Nodes.Insert(0, constant);

        var result = PassPipeline.Run(model, [DynamicInt8]);

        Assert.Single(result.Reports[0].Changed);
        Assert.DoesNotContain(result.Model.Graph.Nodes, n => n.OpType == "Constant");
    }

    [Fact]
    public void Opset_below_11_is_raised_when_every_operator_is_unchanged()
    {
        var model = GraphBuilder.MatMul(8, 4, opset: 9);
        model.IrVersion = 4;

        var result = PassPipeline.Run(model, [DynamicInt8]);

        Assert.Equal(11, result.Model.GetOpsetVersion(""));
        Assert.Equal(6, result.Model.IrVersion);
        Assert.NotEmpty(Ort.Run(result.Model, ("x", GraphBuilder.Values(8, 1), [1, 8])));
    }

    [Fact]
    public void Opset_below_11_stays_when_an_operator_changed_meaning()
    {
        var model = GraphBuilder.MatMul(8, 4, opset: 9);
        model.Graph.Outputs[0] = GraphBuilder.Tensor("clipped");
        // Scatter was deprecated at opset 11 and the opset upgrader has no adapter for it (Clip, which
        // changed at 11 too, is adapted now: see tests/Optimizer.Passes.Tests/Opset).
        model.Graph.Initializers.Add(OnnxTensor.FromInt64s("indices", [1, 4], [0, 1, 2, 3]));
        var scatter = new OnnxNode("Scatter", ["y", "indices", "y"], ["clipped"], "scatter");
        model.Graph.Nodes.Add(scatter);

        var result = PassPipeline.Run(model, [DynamicInt8]);

        Assert.Equal(9, result.Model.GetOpsetVersion(""));
        Assert.Contains("Scatter changed meaning at opset 11", Assert.Single(result.Reports[0].Skipped).Reason);
    }

    [Fact]
    public void Opset_18_reads_the_row_axis_as_an_input()
    {
        var model = GraphBuilder.MatMul(32, 8, opset: 18);
        var x = GraphBuilder.Values(4 * 32, 3);

        var result = PassPipeline.Run(model, [DynamicInt8]);

        var reduce = result.Model.Graph.Nodes.Single(n => n.OpType == "ReduceMax");
        Assert.Equal(2, reduce.Inputs.Count);
        Assert.Null(reduce.FindAttribute("axes"));
        AssertClose(Ort.Run(model, ("x", x, [4, 32])), Ort.Run(result.Model, ("x", x, [4, 32])), 0.02);
    }

    private static double MaxRelativeError(float[] expected, float[] actual)
    {
        var scale = expected.Max(Math.Abs);
        return expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) / scale;
    }

    private static void AssertClose(float[] expected, float[] actual, double relativeTolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(Math.Abs);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= relativeTolerance * scale, $"max abs difference {worst} exceeds {relativeTolerance} × {scale}");
    }
}

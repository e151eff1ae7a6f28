using Optimizer.Engine.Calibration;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>Format=QOperator on small graphs: the quantized operators replace fusable QDQ groups, the rest stays QDQ.</summary>
public sealed class QOperatorFormatTests
{
    private static PassRequest Static(string format) =>
        new("Quantize", new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = "calib", ["Format"] = format });

    private static PassContext Context() => new()
    {
        CalibrationData = TestSamples.Named("calib", TestSamples.Floats("x", GraphBuilder.Values(64 * 16, 5), 64, 16)),
        Executor = new OnnxRuntimeModelExecutor(),
    };

    /// <summary>x → Gemm(16→8) → Relu → Sigmoid → Gemm(8→4) → y.</summary>
    private static OnnxModel GemmSigmoidGemm()
    {
        var model = GraphBuilder.Gemm(16, 8, 1f, 1f);
        var graph = model.Graph;
        graph.Nodes[0].Outputs[0] = "h";
        graph.Outputs.Clear();
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Named("batch"), Dim.Fixed(4)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B2", [4, 8], GraphBuilder.Values(32, 7)));
        graph.Initializers.Add(OnnxTensor.FromFloats("C2", [4], GraphBuilder.Values(4, 8)));
        graph.Nodes.Add(new OnnxNode("Relu", ["h"], ["r"], "relu"));
        graph.Nodes.Add(new OnnxNode("Sigmoid", ["r"], ["s"], "sigmoid"));
        var second = new OnnxNode("Gemm", ["s", "B2", "C2"], ["y"], "gemm2");
        second.SetAttribute(OnnxAttribute.FromInt("transB", 1));
        graph.Nodes.Add(second);
        return model;
    }

    [Fact]
    public void Fusable_groups_become_QGemm_and_a_float_op_keeps_its_Q_DQ_boundary()
    {
        var model = GemmSigmoidGemm();
        var qdq = PassPipeline.Run(model, [Static("Qdq")], Context()).Model;
        var result = PassPipeline.Run(model, [Static("QOperator")], Context());
        var ops = result.Model.Graph.Nodes.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(2, ops.GetValueOrDefault("QGemm"));
        Assert.Equal(1, ops.GetValueOrDefault("Sigmoid"));
        Assert.Equal(1, ops.GetValueOrDefault("DequantizeLinear")); // before Sigmoid
        Assert.Equal(2, ops.GetValueOrDefault("QuantizeLinear")); // the graph input and after Sigmoid
        Assert.False(ops.ContainsKey("Gemm"));
        Assert.Equal(1, result.Model.GetOpsetVersion("com.microsoft"));
        Assert.Contains("QOperator format (2 quantized operators)", result.Reports[0].Summary);
        Assert.DoesNotContain(result.Model.Graph.Initializers, t => t.Name.StartsWith("bs", StringComparison.Ordinal)); // no bias scales
        Assert.True(OnnxModelWriter.ToBytes(result.Model).Length < OnnxModelWriter.ToBytes(qdq).Length);

        var x = GraphBuilder.Values(4 * 16, 9);
        var expected = Ort.Run(qdq, ("x", x, [4, 16]));
        var actual = Ort.Run(result.Model, ("x", x, [4, 16]));
        Assert.Equal(expected, actual); // ORT fuses the QDQ form into the very same kernels
    }

    [Fact]
    public void A_bad_format_is_OPT1203()
    {
        var error = Assert.Throws<PassException>(() => PassPipeline.Run(GemmSigmoidGemm(), [Static("QLinear")], Context()));
        Assert.Equal(PassErrorCodes.InvalidOption, error.Code);
    }
}

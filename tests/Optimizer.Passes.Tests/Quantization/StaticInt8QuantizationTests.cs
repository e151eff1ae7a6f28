using Optimizer.Engine.Calibration;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Quantization;

public sealed class StaticInt8QuantizationTests
{
    private static PassRequest Static(string calibration = "calib") =>
        new("Quantize", new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = calibration });

    private static PassContext Context(int k) => new()
    {
        CalibrationData = TestSamples.Named("calib", TestSamples.Floats("x", GraphBuilder.Values(64 * k, 5), 64, k)),
        Executor = new OnnxRuntimeModelExecutor(),
    };

    [Fact]
    public void Gemm_relu_becomes_qdq_with_relu_folded_and_int32_bias()
    {
        var model = GraphBuilder.Gemm(16, 8, 1f, 1f);
        var relu = new OnnxNode("Relu", ["y_pre"], ["y"], "relu");
        model.Graph.Nodes[0].Outputs[0] = "y_pre";
        model.Graph.Nodes.Add(relu);

        var result = PassPipeline.Run(model, [Static()], Context(16));

        var nodes = result.Model.Graph.Nodes;
        Assert.DoesNotContain(nodes, n => n.OpType == "Relu");
        Assert.Contains(result.Model.Graph.Initializers, t => t.ElementType == TensorElementType.Int32 && t.Dims.SequenceEqual([8L]));
        Assert.Equal(2, nodes.Count(n => n.OpType == "QuantizeLinear")); // input, and the output that carries the folded Relu
        var x = GraphBuilder.Values(4 * 16, 9);
        var expected = Ort.Run(model, ("x", x, [4, 16]));
        var actual = Ort.Run(result.Model, ("x", x, [4, 16]));
        Assert.All(actual, v => Assert.True(v >= 0));
        Assert.True(expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() < 0.1);
    }

    [Fact]
    public void A_relu_after_an_unquantizable_gemm_is_kept()
    {
        var model = GraphBuilder.Gemm(16, 8, 0.5f, 1f); // alpha ≠ 1: no quantized form
        model.Graph.Nodes[0].Outputs[0] = "y_pre";
        model.Graph.Nodes.Add(new OnnxNode("Relu", ["y_pre"], ["y"], "relu"));

        var result = PassPipeline.Run(model, [Static()], Context(16));

        Assert.Contains(result.Model.Graph.Nodes, n => n.OpType == "Relu");
        Assert.Contains(result.Reports[0].Skipped, s => s.Node == "gemm");
    }

    [Fact]
    public void Missing_calibration_data_is_OPT1250_and_a_missing_executor_OPT1254()
    {
        var model = GraphBuilder.MatMul(16, 8);
        var noOption = new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "StaticInt8" });

        Assert.Equal(PassErrorCodes.CalibrationDataMissing, Assert.Throws<PassException>(() => PassPipeline.Run(model, [noOption], Context(16))).Code);
        Assert.Equal(PassErrorCodes.CalibrationDataMissing, Assert.Throws<PassException>(() => PassPipeline.Run(model, [Static("other")], Context(16))).Code);
        var noExecutor = new PassContext { CalibrationData = Context(16).CalibrationData };
        Assert.Equal(PassErrorCodes.ModelExecutorMissing, Assert.Throws<PassException>(() => PassPipeline.Run(model, [Static()], noExecutor)).Code);
    }

    [Fact]
    public void Samples_that_do_not_fit_the_input_are_OPT1253()
    {
        var error = Assert.Throws<PassException>(() => PassPipeline.Run(GraphBuilder.MatMul(16, 8), [Static()], Context(12)));
        Assert.Equal(PassErrorCodes.CalibrationShapeMismatch, error.Code);
    }

    [Theory]
    [InlineData("CalibrationMethod", "Median")]
    [InlineData("ActivationType", "Int16")]
    [InlineData("Percentile", "120")]
    public void Bad_static_options_are_OPT1203(string name, string value)
    {
        var options = new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = "calib", [name] = value };
        Assert.Equal(PassErrorCodes.InvalidOption, Assert.Throws<PassException>(() => PassPipeline.Run(GraphBuilder.MatMul(16, 8), [new("Quantize", options)], Context(16))).Code);
    }
}

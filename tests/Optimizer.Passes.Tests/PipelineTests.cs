using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests;

public sealed class PipelineTests
{
    private static PassRequest Quantize(string mode) => new("Quantize", new Dictionary<string, string> { ["Mode"] = mode });

    [Fact]
    public void Unknown_pass_is_OPT1200_and_names_what_is_available()
    {
        var error = Assert.Throws<PassException>(() => PassPipeline.Run(GraphBuilder.MatMul(4, 3), [new PassRequest("Sharpen", new Dictionary<string, string>())]));
        Assert.Equal(PassErrorCodes.UnknownPass, error.Code);
        Assert.Contains("DynamicInt8", error.Message);
    }

    [Fact]
    public void Training_pass_is_OPT1201_and_names_the_package_that_brings_it()
    {
        var error = Assert.Throws<PassException>(() => PassPipeline.Run(GraphBuilder.MatMul(4, 3),
            [new PassRequest("FineTune", new Dictionary<string, string> { ["Epochs"] = "3" })]));
        Assert.Equal(PassErrorCodes.PassNotAvailable, error.Code);
        Assert.Equal("FineTune", error.Pass);
        Assert.Contains("Optimizer.Training", error.Message);
    }

    [Fact]
    public void Static_quantization_without_its_calibration_data_is_a_coded_error()
    {
        var request = new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = "calib.npy" });
        var error = Assert.Throws<PassException>(() => PassPipeline.Run(GraphBuilder.MatMul(4, 3), [request]));
        Assert.StartsWith("OPT125", error.Code);
        Assert.Contains("calib.npy", error.Message);
    }

    [Theory]
    [InlineData("Mode", "Int3")]
    [InlineData("Granularity", "fine")]
    [InlineData("PerChannel", "maybe")]
    [InlineData("Percentile", "99")] // a StaticInt8 option on DynamicInt8
    public void Bad_options_are_OPT1203(string name, string value)
    {
        var options = new Dictionary<string, string> { ["Mode"] = "DynamicInt8", [name] = value };
        var error = Assert.Throws<PassException>(() => PassPipeline.Run(GraphBuilder.MatMul(4, 3), [new PassRequest("Quantize", options)]));
        Assert.Equal(PassErrorCodes.InvalidOption, error.Code);
    }

    [Fact]
    public void Duplicate_requests_are_OPT1204()
    {
        var error = Assert.Throws<PassException>(() => PassPipeline.Run(GraphBuilder.MatMul(4, 3), [Quantize("DynamicInt8"), Quantize("dynamicint8")]));
        Assert.Equal(PassErrorCodes.DuplicatePass, error.Code);
    }

    [Fact]
    public void The_input_model_is_left_unchanged()
    {
        var model = GraphBuilder.MatMul(4, 3);
        var before = Onnx.OnnxModelWriter.ToBytes(model);

        var result = PassPipeline.Run(model, [Quantize("DynamicInt8")]);

        Assert.Equal(before, Onnx.OnnxModelWriter.ToBytes(model));
        Assert.NotSame(model, result.Model);
        var report = Assert.Single(result.Reports);
        Assert.Equal("Quantize", report.Pass);
        Assert.Equal("matmul", Assert.Single(report.Changed).Node);
    }

    [Fact]
    public void No_requests_return_an_equal_copy()
    {
        var model = GraphBuilder.MatMul(4, 3);

        var result = PassPipeline.Run(model, []);

        Assert.Empty(result.Reports);
        Assert.Equal(Onnx.OnnxModelWriter.ToBytes(model), Onnx.OnnxModelWriter.ToBytes(result.Model));
    }
}

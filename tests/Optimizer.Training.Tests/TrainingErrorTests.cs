using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Tests.Shared;
using Optimizer.Training.Conversion;
using Optimizer.Training.FineTuning;

namespace Optimizer.Training.Tests;

/// <summary>What training refuses, with which code.</summary>
public class TrainingErrorTests
{
    [ConditionalFact("data/models")]
    public void A_model_with_an_uncovered_operator_is_OPT1071_naming_it()
    {
        var models = TestData.Models;
        var model = OnnxModelLoader.Load(Path.Combine(models, "ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        var e = Assert.Throws<PassException>(() => TorchGraph.Create(model));
        Assert.Equal(TrainingErrorCodes.UnsupportedOperator, e.Code);
        Assert.Contains("HardSigmoid", e.Message);
        Assert.Equal("FineTune", e.Pass);
    }

    [Theory]
    [InlineData("Epochs", "0")]
    [InlineData("LearningRate", "-1")]
    [InlineData("Optimizer", "Lion")]
    [InlineData("BatchSize", "x")]
    [InlineData("Dropout", "0.1")]
    public void Invalid_options_are_OPT1072(string name, string value)
    {
        var options = new Dictionary<string, string> { ["Data"] = "x.npy", ["Labels"] = "y.u8", [name] = value };
        var e = Assert.Throws<PassException>(() => TrainingOptions.Parse(options, null));
        Assert.Equal(TrainingErrorCodes.InvalidOption, e.Code);
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Nothing_to_learn_from_and_distill_without_fine_tune_are_OPT1072()
    {
        var noLabels = Assert.Throws<PassException>(() => TrainingOptions.Parse(new Dictionary<string, string> { ["Data"] = "x.npy" }, null));
        Assert.Equal(TrainingErrorCodes.InvalidOption, noLabels.Code);
        var distillOnly = Assert.Throws<PassException>(() => TrainingOptions.Parse(null, new Dictionary<string, string>()));
        Assert.Equal("Distill", distillOnly.Pass);
        // Without labels, [Distill] makes it valid.
        Assert.True(TrainingOptions.Parse(new Dictionary<string, string> { ["Data"] = "x.npy" }, new Dictionary<string, string>()).Distill);
    }

    [ConditionalFact("data/models")]
    public void Labels_that_do_not_match_the_samples_are_OPT1073()
    {
        var models = TestData.Models;
        var model = OnnxModelLoader.Load(Path.Combine(models, "digits_mlp.onnx"));
        var data = new CalibrationDataSet(new float[10 * 64], [10, 64]);
        var options = TrainingOptions.Parse(new Dictionary<string, string> { ["Data"] = "x", ["Labels"] = "y", ["Epochs"] = "1" }, null);
        var e = Assert.Throws<PassException>(() => FineTuner.Train(model, null, options, new TrainingSet(data, new int[9]), null));
        Assert.Equal(TrainingErrorCodes.DataInvalid, e.Code);
        var wrongSize = new CalibrationDataSet(new float[10 * 63], [10, 63]);
        Assert.Equal(TrainingErrorCodes.DataInvalid, Assert.Throws<PassException>(() => FineTuner.Train(model, null, options, new TrainingSet(wrongSize, new int[10]), null)).Code);
    }
}

using Optimizer.Onnx;
using Optimizer.Passes.Pruning;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;
using static Optimizer.Passes.Tests.Pruning.PruningGraphs;

namespace Optimizer.Passes.Tests.Pruning;

/// <summary>Pruning the real digits models through the pipeline, measured on the 450 test images in ONNX Runtime.</summary>
public sealed class DigitsPruningTests(ITestOutputHelper output)
{
    [ConditionalTheory("data")]
    [InlineData("digits_cnn.onnx", 0.993)]
    [InlineData("digits_mlp.onnx", 0.971)]
    public void Global_half_unstructured_stays_within_one_point(string file, double expectedFp32)
    {
        var digits = DigitsSet.Load();

        var model = digits.LoadModel(file);
        var fp32 = digits.Evaluate(model).Accuracy;
        var global = PassPipeline.Run(model, [Prune(("Sparsity", "0.5"), ("Scope", "Global"))]);
        var perLayer = PassPipeline.Run(model, [Prune(("Sparsity", "0.5"), ("Scope", "Layer"))]);
        var rawGlobal = PassPipeline.Run(model, [Prune(("Sparsity", "0.5"), ("Scope", "Global"), ("Ranking", "Magnitude"))]);
        var globalAccuracy = digits.Evaluate(global.Model).Accuracy;
        var perLayerAccuracy = digits.Evaluate(perLayer.Model).Accuracy;

        output.WriteLine($"{file}: top-1 fp32 {fp32:P2}, global 50% {globalAccuracy:P2} (LAMP ranking), " +
                         $"global 50% {digits.Evaluate(rawGlobal.Model).Accuracy:P2} (raw magnitude), per-layer 50% {perLayerAccuracy:P2} ({digits.Labels.Length} images)");
        WriteReport(global.Reports[0]);
        WriteReport(rawGlobal.Reports[0]);
        WriteReport(perLayer.Reports[0]);
        Assert.Equal(expectedFp32, fp32, 0.001);
        Assert.True(fp32 - globalAccuracy <= 0.01, $"global 50% pruning dropped top-1 from {fp32:P2} to {globalAccuracy:P2}");
        Assert.InRange(ZeroFraction(global.Model), 0.45, 0.55);
    }

    [ConditionalTheory("data")]
    [InlineData("L1")]
    [InlineData("L2")]
    public void Half_the_cnn_channels_go_and_the_model_still_runs_with_the_same_output_shape(string norm)
    {
        var digits = DigitsSet.Load();

        var model = digits.LoadModel("digits_cnn.onnx");
        var (fp32, shapeBefore) = digits.Evaluate(model);
        var result = PassPipeline.Run(model, [Prune(("Sparsity", "0.5"), ("Structure", "Channel"), ("Norm", norm))]);
        var (accuracy, shapeAfter) = digits.Evaluate(result.Model);
        var bytesBefore = OnnxModelWriter.ToBytes(model).Length;
        var bytesAfter = OnnxModelWriter.ToBytes(result.Model).Length;

        output.WriteLine($"digits_cnn channel 50% ({norm}): top-1 {fp32:P2} → {accuracy:P2} without fine-tuning; file {bytesBefore} → {bytesAfter} bytes");
        WriteReport(result.Reports[0]);
        Assert.Equal(shapeBefore, shapeAfter);
        Assert.Equal(2, result.Reports[0].Changed.Count(c => c.Detail.Contains("8 of 16") || c.Detail.Contains("16 of 32")));
        var (before, after) = (ModelCost.OfGraph(model.Graph), ModelCost.OfGraph(result.Model.Graph));
        Assert.True(after.Parameters < before.Parameters * 0.6, $"params {before.Parameters} → {after.Parameters}");
        Assert.True(after.Flops < before.Flops * 0.6, $"FLOPs {before.Flops} → {after.Flops}");
        Assert.True(bytesAfter < bytesBefore * 0.6);
    }

    [ConditionalFact("data")]
    public void Batchnorm_unfused_cnn_is_channel_pruned_after_fusion_and_runs()
    {
        var digits = DigitsSet.Load();

        var model = digits.LoadModel("digits_cnn_bn_unfused.onnx");
        var (fp32, shapeBefore) = digits.Evaluate(model);
        var result = PassPipeline.Run(model, [Prune(("Sparsity", "0.5"), ("Structure", "Channel"))]);
        var (accuracy, shapeAfter) = digits.Evaluate(result.Model);

        output.WriteLine($"digits_cnn_bn_unfused channel 50%: top-1 {fp32:P2} → {accuracy:P2}");
        WriteReport(result.Reports[0]);
        Assert.Equal(shapeBefore, shapeAfter);
        Assert.NotEmpty(result.Reports[0].Changed);
    }

    [ConditionalTheory("data")]
    [InlineData("digits_cnn.onnx")]
    [InlineData("digits_mlp.onnx")]
    public void Two_of_four_pattern_holds_on_every_group(string file)
    {
        var digits = DigitsSet.Load();

        var model = digits.LoadModel(file);
        var result = PassPipeline.Run(model, [Prune(("Structure", "NM2x4"))]);

        output.WriteLine($"{file}: top-1 {digits.Evaluate(model).Accuracy:P2} → {digits.Evaluate(result.Model).Accuracy:P2} with 2:4");
        WriteReport(result.Reports[0]);
        foreach (var change in result.Reports[0].Changed)
        {
            var node = result.Model.Graph.Nodes.Single(n => n.Name == change.Node);
            var (layer, _) = PrunableLayer.Describe(result.Model.Graph, node);
            var original = model.Graph.FindInitializer(layer!.WeightName)!.ToFloatArray();
            NmSparsityPruningTests.AssertTwoOfFour(layer.Weight.ToFloatArray(), layer.Weight.Dims, layer.ReductionAxis, original);
        }

        Assert.NotEmpty(result.Reports[0].Changed);
    }

    private void WriteReport(PassReport report)
    {
        output.WriteLine("  " + report.Summary);
        foreach (var change in report.Changed)
        {
            output.WriteLine($"    {change.Node}: {change.Detail}");
        }

        foreach (var skip in report.Skipped)
        {
            output.WriteLine($"    skipped {skip.Node}: {skip.Reason}");
        }
    }

    private static double ZeroFraction(OnnxModel model)
    {
        var weights = model.Graph.Nodes.Where(PrunableLayer.IsCandidate)
            .SelectMany(n => model.Graph.FindInitializer(n.Inputs[1])!.ToFloatArray()).ToArray();
        return (double)weights.Count(w => w == 0) / weights.Length;
    }
}

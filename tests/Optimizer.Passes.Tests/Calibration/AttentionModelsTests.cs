using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Calibration;

/// <summary>CalibrationMethod.Auto: MinMax for attention models, Entropy for the rest.</summary>
public sealed class AttentionModelsTests
{
    [Fact]
    public void A_softmax_over_scaled_and_masked_query_key_scores_is_attention()
    {
        var graph = new OnnxGraph("attention");
        graph.DeclaredInputs.AddRange([GraphBuilder.Tensor("q", Dim.Fixed(4), Dim.Fixed(8)), GraphBuilder.Tensor("k", Dim.Fixed(8), Dim.Fixed(4)), GraphBuilder.Tensor("mask", Dim.Fixed(4), Dim.Fixed(4))]);
        graph.Initializers.Add(OnnxTensor.FromFloats("scale", [], [0.35f]));
        graph.Nodes.Add(new OnnxNode("MatMul", ["q", "k"], ["scores"], "qk"));
        graph.Nodes.Add(new OnnxNode("Mul", ["scores", "scale"], ["scaled"], "scale"));
        graph.Nodes.Add(new OnnxNode("Add", ["scaled", "mask"], ["masked"], "mask"));
        graph.Nodes.Add(new OnnxNode("Softmax", ["masked"], ["p"], "softmax"));

        Assert.True(AttentionModels.HasAttention(graph));
        var resolved = AttentionModels.Resolve(new CalibrationSettings(CalibrationMethod.Auto, 99.9), graph);
        Assert.Equal(CalibrationMethod.MinMax, resolved.Method);
    }

    [Fact]
    public void A_classifier_softmax_over_a_weight_product_is_not_attention()
    {
        var model = GraphBuilder.MatMul(8, 4);
        model.Graph.Nodes.Add(new OnnxNode("Softmax", ["y"], ["p"], "softmax"));

        Assert.False(AttentionModels.HasAttention(model.Graph));
        Assert.Equal(CalibrationMethod.Entropy, AttentionModels.Resolve(new CalibrationSettings(CalibrationMethod.Auto, 99.9), model.Graph).Method);
        Assert.Equal(CalibrationMethod.Percentile, AttentionModels.Resolve(new CalibrationSettings(CalibrationMethod.Percentile, 99.9), model.Graph).Method);
    }
}

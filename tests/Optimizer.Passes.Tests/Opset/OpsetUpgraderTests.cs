using Optimizer.Onnx;
using Optimizer.Passes.Opset;
using Optimizer.Passes.Tests.Cleanup;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Opset;

/// <summary>Each adapter on a small graph: the upgraded model gives the original's outputs in ONNX Runtime.</summary>
public sealed class OpsetUpgraderTests
{
    [Fact]
    public void Clip_min_max_attributes_become_inputs()
    {
        var node = new OnnxNode("Clip", ["x"], ["y"], "clip");
        node.SetAttribute(OnnxAttribute.FromFloat("min", -0.25f));
        node.SetAttribute(OnnxAttribute.FromFloat("max", 0.5f));
        var upgraded = AssertSameOutputs(Single(node, 9, [2, 3, 4], [2, 3, 4]), 13);

        var clip = upgraded.Graph.Nodes.Single(n => n.OpType == "Clip");
        Assert.Empty(clip.Attributes);
        Assert.Equal(3, clip.Inputs.Count);
        Assert.Equal(-0.25f, upgraded.Graph.FindInitializer(clip.Inputs[1])!.ToFloatArray().Single());
    }

    [Fact]
    public void Clip_with_only_max_leaves_min_empty()
    {
        var node = new OnnxNode("Clip", ["x"], ["y"], "clip");
        node.SetAttribute(OnnxAttribute.FromFloat("max", 0.1f));
        var upgraded = AssertSameOutputs(Single(node, 6, [3, 4], [3, 4]), 11);
        Assert.Equal("", upgraded.Graph.Nodes.Single().Inputs[1]);
    }

    [Theory]
    [InlineData("Softmax", 1)]
    [InlineData("Softmax", 2)]
    [InlineData("LogSoftmax", 1)]
    [InlineData("Hardmax", 1)]
    [InlineData("Softmax", -1)]
    public void Softmax_family_keeps_the_2d_coercion(string op, long axis)
    {
        var node = new OnnxNode(op, ["x"], ["y"], "softmax");
        node.SetAttribute(OnnxAttribute.FromInt("axis", axis));
        var upgraded = AssertSameOutputs(Single(node, 11, [2, 3, 4], [2, 3, 4]), 13);
        var wrapped = axis is 1;
        Assert.Equal(wrapped, upgraded.Graph.Nodes.Any(n => n.OpType == "Flatten"));
    }

    [Fact]
    public void Softmax_default_axis_on_2d_input_only_becomes_explicit()
    {
        var upgraded = AssertSameOutputs(Single(new OnnxNode("Softmax", ["x"], ["y"], "softmax"), 9, [4, 5], [4, 5]), 13);
        var softmax = Assert.Single(upgraded.Graph.Nodes);
        Assert.Equal(1, softmax.FindAttribute("axis")!.Int);
    }

    [Theory]
    [InlineData("Squeeze", new long[] { 2, 1, 3, 1 }, new long[] { 2, 3 })]
    [InlineData("Unsqueeze", new long[] { 2, 3 }, new long[] { 2, 1, 3, 1 })]
    public void Squeeze_and_unsqueeze_axes_become_inputs(string op, long[] inputShape, long[] outputShape)
    {
        var node = new OnnxNode(op, ["x"], ["y"], "node");
        node.SetAttribute(OnnxAttribute.FromInts("axes", op == "Squeeze" ? [1, 3] : [1, -1]));
        var upgraded = AssertSameOutputs(Single(node, 11, inputShape, outputShape), 13);
        Assert.Equal(2, upgraded.Graph.Nodes.Single().Inputs.Count);
    }

    [Fact]
    public void ReduceSum_axes_become_an_input()
    {
        var node = new OnnxNode("ReduceSum", ["x"], ["y"], "sum");
        node.SetAttribute(OnnxAttribute.FromInts("axes", [0, 2]));
        node.SetAttribute(OnnxAttribute.FromInt("keepdims", 0));
        AssertSameOutputs(Single(node, 11, [2, 3, 4], [3]), 13);
    }

    [Fact]
    public void Split_sizes_become_an_input()
    {
        var graph = Graph([2, 6]);
        var split = new OnnxNode("Split", ["x"], ["a", "b"], "split");
        split.SetAttribute(OnnxAttribute.FromInt("axis", 1));
        split.SetAttribute(OnnxAttribute.FromInts("split", [2, 4]));
        graph.Nodes.Add(split);
        graph.Outputs.Add(GraphBuilder.Tensor("a", Dim.Fixed(2), Dim.Fixed(2)));
        graph.Outputs.Add(GraphBuilder.Tensor("b", Dim.Fixed(2), Dim.Fixed(4)));
        AssertSameOutputs(new OnnxModel(graph, [new OpsetImport("", 11)], 6), 13);
    }

    [Fact]
    public void Pad_pads_and_value_become_inputs()
    {
        var node = new OnnxNode("Pad", ["x"], ["y"], "pad");
        node.SetAttribute(OnnxAttribute.FromInts("pads", [0, 1, 2, 0, 2, 1]));
        node.SetAttribute(OnnxAttribute.FromFloat("value", 1.5f));
        var upgraded = AssertSameOutputs(Single(node, 10, [1, 2, 3], [1, 5, 6]), 13);
        Assert.Equal(3, upgraded.Graph.Nodes.Single().Inputs.Count);
    }

    [Fact]
    public void Slice_attributes_become_inputs()
    {
        var node = new OnnxNode("Slice", ["x"], ["y"], "slice");
        node.SetAttribute(OnnxAttribute.FromInts("starts", [1, 0]));
        node.SetAttribute(OnnxAttribute.FromInts("ends", [3, 1000]));
        node.SetAttribute(OnnxAttribute.FromInts("axes", [1, 2]));
        AssertSameOutputs(Single(node, 9, [2, 4, 5], [2, 2, 5]), 13);
    }

    [Fact]
    public void TopK_k_becomes_an_input()
    {
        var graph = Graph([3, 6]);
        var topk = new OnnxNode("TopK", ["x"], ["values", "indices"], "topk");
        topk.SetAttribute(OnnxAttribute.FromInt("k", 2));
        graph.Nodes.Add(topk);
        graph.Outputs.Add(GraphBuilder.Tensor("values", Dim.Fixed(3), Dim.Fixed(2)));
        graph.Outputs.Add(new ValueInfo("indices", ValueTypeInfo.Tensor(TensorElementType.Int64, [Dim.Fixed(3), Dim.Fixed(2)])));
        AssertSameOutputs(new OnnxModel(graph, [new OpsetImport("", 9)], 4), 13);
    }

    [Theory]
    [InlineData(7, "nearest")]
    [InlineData(9, "nearest")]
    [InlineData(9, "linear")]
    public void Upsample_becomes_resize_with_the_same_sampling(long opset, string mode)
    {
        var graph = Graph([1, 2, 3, 4]);
        var node = new OnnxNode("Upsample", ["x"], ["y"], "upsample");
        node.SetAttribute(OnnxAttribute.FromString("mode", mode));
        if (opset < 9)
        {
            node.SetAttribute(OnnxAttribute.FromFloats("scales", [1, 1, 2, 3]));
        }
        else
        {
            graph.Initializers.Add(OnnxTensor.FromFloats("scales", [4], [1, 1, 2, 3]));
            node.Inputs.Add("scales");
        }

        graph.Nodes.Add(node);
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Fixed(1), Dim.Fixed(2), Dim.Fixed(6), Dim.Fixed(12)));
        var upgraded = AssertSameOutputs(new OnnxModel(graph, [new OpsetImport("", opset)], 4), 13);
        Assert.Equal("Resize", upgraded.Graph.Nodes.Single().OpType);
    }

    [Fact]
    public void BatchNormalization_spatial_is_dropped()
    {
        var graph = Graph([2, 3, 4, 4]);
        graph.Initializers.Add(OnnxTensor.FromFloats("scale", [3], [1.5f, 0.5f, 2f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("bias", [3], [0.1f, -0.2f, 0.3f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("mean", [3], [0.05f, 0.1f, -0.1f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("var", [3], [1.2f, 0.8f, 0.5f]));
        var bn = new OnnxNode("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], "bn");
        bn.SetAttribute(OnnxAttribute.FromInt("spatial", 1));
        bn.SetAttribute(OnnxAttribute.FromFloat("epsilon", 1e-3f));
        graph.Nodes.Add(bn);
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Fixed(2), Dim.Fixed(3), Dim.Fixed(4), Dim.Fixed(4)));
        var upgraded = AssertSameOutputs(new OnnxModel(graph, [new OpsetImport("", 7)], 3), 13);
        Assert.Null(upgraded.Graph.Nodes.Single().FindAttribute("spatial"));
    }

    [Fact]
    public void BatchNormalization_per_activation_is_refused_and_the_model_is_unchanged()
    {
        var graph = Graph([2, 3]);
        foreach (var name in new[] { "scale", "bias", "mean", "var" })
        {
            graph.Initializers.Add(OnnxTensor.FromFloats(name, [3], [1f, 1f, 1f]));
        }

        var bn = new OnnxNode("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], "bn");
        bn.SetAttribute(OnnxAttribute.FromInt("spatial", 0));
        graph.Nodes.Add(bn);
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Fixed(2), Dim.Fixed(3)));
        var model = new OnnxModel(graph, [new OpsetImport("", 7)], 3);
        var before = OnnxModelWriter.ToBytes(model);

        var result = OpsetUpgrader.Upgrade(model, 13);

        Assert.False(result.Succeeded);
        Assert.Contains("spatial=0", result.Refusal);
        Assert.Equal(before, OnnxModelWriter.ToBytes(model));
    }

    [Fact]
    public void Dropout_ratio_becomes_an_input()
    {
        var node = new OnnxNode("Dropout", ["x"], ["y"], "dropout");
        node.SetAttribute(OnnxAttribute.FromFloat("ratio", 0.3f));
        var upgraded = AssertSameOutputs(Single(node, 7, [2, 5], [2, 5]), 13);
        Assert.Equal(2, upgraded.Graph.Nodes.Single().Inputs.Count);
    }

    [Fact]
    public void Legacy_broadcast_with_axis_unsqueezes_b()
    {
        // Add-6 with broadcast=1, axis=1: B [3] is added along dimension 1 of A [2, 3, 4].
        var graph = Graph([2, 3, 4]);
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [3], [10f, 20f, 30f]));
        var add = new OnnxNode("Add", ["x", "b"], ["y"], "add");
        add.SetAttribute(OnnxAttribute.FromInt("broadcast", 1));
        add.SetAttribute(OnnxAttribute.FromInt("axis", 1));
        graph.Nodes.Add(add);
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Fixed(2), Dim.Fixed(3), Dim.Fixed(4)));
        var model = new OnnxModel(graph, [new OpsetImport("", 6)], 3);

        var result = OpsetUpgrader.Upgrade(model, 13);

        Assert.True(result.Succeeded, result.Refusal);
        var x = GraphBuilder.Values(24, 5);
        var y = Ort.Run(model, ("x", x, [2, 3, 4]));
        for (var i = 0; i < 24; i++)
        {
            Assert.Equal(x[i] + 10f * (1 + i / 4 % 3), y[i], 5);
        }
    }

    [Fact]
    public void Legacy_broadcast_on_trailing_dimensions_only_drops_the_attribute()
    {
        var graph = Graph([2, 3]);
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [3], [1f, 2f, 3f]));
        var mul = new OnnxNode("Mul", ["x", "b"], ["y"], "mul");
        mul.SetAttribute(OnnxAttribute.FromInt("broadcast", 1));
        graph.Nodes.Add(mul);
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Fixed(2), Dim.Fixed(3)));
        var model = new OnnxModel(graph, [new OpsetImport("", 6)], 3);

        Assert.True(OpsetUpgrader.Upgrade(model, 13).Succeeded);
        var x = GraphBuilder.Values(6, 1);
        Assert.Equal(x.Select((v, i) => v * (1 + i % 3)).ToArray(), Ort.Run(model, ("x", x, [2, 3])));
    }

    [Fact]
    public void Reshape_shape_attribute_becomes_an_input()
    {
        var node = new OnnxNode("Reshape", ["x"], ["y"], "reshape");
        node.SetAttribute(OnnxAttribute.FromInts("shape", [3, -1]));
        var model = Single(node, 4, [2, 6], [3, 4]);

        Assert.True(OpsetUpgrader.Upgrade(model, 13).Succeeded);
        var x = GraphBuilder.Values(12, 2);
        Assert.Equal(x, Ort.Run(model, ("x", x, [2, 6])));
        Assert.Equal(2, model.Graph.Nodes.Single().Inputs.Count);
    }

    [Fact]
    public void Cast_type_names_become_enum_values()
    {
        var node = new OnnxNode("Cast", ["x"], ["y"], "cast");
        node.SetAttribute(OnnxAttribute.FromString("to", "FLOAT"));
        var model = Single(node, 5, [3], [3]);

        Assert.True(OpsetUpgrader.Upgrade(model, 13).Succeeded);
        Assert.Equal((long)TensorElementType.Float, model.Graph.Nodes.Single().FindAttribute("to")!.Int);
        Assert.Equal([1f, 2f, 3f], Ort.Run(model, ("x", [1f, 2f, 3f], [3])));
    }

    [Fact]
    public void An_operator_change_without_an_adapter_is_refused()
    {
        var graph = Graph([2, 3]);
        graph.Initializers.Add(OnnxTensor.FromInt64s("idx", [2, 3], [0, 1, 0, 1, 0, 1]));
        graph.Initializers.Add(OnnxTensor.FromFloats("upd", [2, 3], [1, 2, 3, 4, 5, 6]));
        graph.Nodes.Add(new OnnxNode("Scatter", ["x", "idx", "upd"], ["y"], "scatter"));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Fixed(2), Dim.Fixed(3)));
        var model = new OnnxModel(graph, [new OpsetImport("", 9)], 4);

        var result = OpsetUpgrader.Upgrade(model, 13);

        Assert.False(result.Succeeded);
        Assert.Contains("Scatter changed meaning at opset 11", result.Refusal);
        Assert.Equal(9, model.GetOpsetVersion(""));
    }

    [Fact]
    public void An_unknown_operator_is_refused()
    {
        var model = Single(new OnnxNode("ImageScaler", ["x"], ["y"], "scaler"), 9, [1, 3, 2, 2], [1, 3, 2, 2]);
        var result = OpsetUpgrader.Upgrade(model, 13);
        Assert.False(result.Succeeded);
        Assert.Contains("cannot confirm that ImageScaler", result.Refusal);
    }

    [Fact]
    public void A_model_at_or_above_the_target_is_left_alone()
    {
        var model = GraphBuilder.MatMul(4, 3, opset: 13);
        var before = OnnxModelWriter.ToBytes(model);
        var result = OpsetUpgrader.Upgrade(model, 13);
        Assert.True(result.Succeeded);
        Assert.Empty(result.Changes);
        Assert.Equal(before, OnnxModelWriter.ToBytes(model));
    }

    [Fact]
    public void Every_listed_change_either_has_an_adapter_or_is_refused_with_a_reason()
    {
        foreach (var (op, change) in OpsetChanges.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(change.What), op);
            Assert.InRange(change.Version, 2, OpsetUpgrader.MaxTarget);
        }
    }

    [Fact]
    public void Dynamic_int8_raises_an_opset_9_model_with_clip_attributes_and_reports_it()
    {
        var model = GraphBuilder.MatMul(16, 8, opset: 9);
        model.IrVersion = 4;
        model.Graph.Outputs[0] = GraphBuilder.Tensor("clipped", Dim.Named("batch"), Dim.Fixed(8));
        var clip = new OnnxNode("Clip", ["y"], ["clipped"], "clip");
        clip.SetAttribute(OnnxAttribute.FromFloat("min", -0.5f));
        clip.SetAttribute(OnnxAttribute.FromFloat("max", 0.5f));
        model.Graph.Nodes.Add(clip);
        var x = GraphBuilder.Values(32, 7);

        var result = PassPipeline.Run(model, [new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" })]);

        var report = result.Reports[0];
        Assert.Equal(11, result.Model.GetOpsetVersion(""));
        Assert.Contains("opset raised 9 → 11", report.Summary);
        Assert.Contains(report.Changed, c => c.Node == OpsetRaise.ReportNode && c.Detail.Contains("Clip ×1", StringComparison.Ordinal));
        Assert.Empty(report.Skipped);
        var (expected, actual) = (Ort.Run(model, ("x", x, [2, 16])), Ort.Run(result.Model, ("x", x, [2, 16])));
        Assert.True(expected.Zip(actual).All(p => Math.Abs(p.First - p.Second) < 0.05), "int8 output far from fp32");
        Assert.True(actual.All(v => v is >= -0.5f and <= 0.5f));
    }

    [Fact]
    public void A_refused_upgrade_leaves_the_quantizer_skipping_with_the_reason()
    {
        var model = GraphBuilder.MatMul(8, 4, opset: 10);
        model.Graph.Outputs[0] = GraphBuilder.Tensor("z");
        model.Graph.Initializers.Add(OnnxTensor.FromFloats("scales", [2], [1f, 2f]));
        model.Graph.DeclaredInputs.Add(GraphBuilder.Tensor("s", Dim.Fixed(2)));
        model.Graph.Nodes.Add(new OnnxNode("Resize", ["y", "s"], ["z"], "resize"));

        var result = PassPipeline.Run(model, [new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" })]);

        Assert.Equal(10, result.Model.GetOpsetVersion(""));
        Assert.Contains("scales computed at run time", Assert.Single(result.Reports[0].Skipped).Reason);
    }

    /// <summary>Upgrades a copy to <paramref name="target"/>, checks it succeeded and gives the same outputs; returns the copy.</summary>
    private static OnnxModel AssertSameOutputs(OnnxModel model, long target)
    {
        var inputs = OrtRunner.Synthesize(model);
        var expected = OrtRunner.Run(model, inputs);
        var upgraded = model.Clone();
        var result = OpsetUpgrader.Upgrade(upgraded, target);
        Assert.True(result.Succeeded, result.Refusal);
        Assert.Equal(target, upgraded.GetOpsetVersion(""));
        Assert.NotEmpty(result.Changes);
        var actual = OrtRunner.Run(upgraded, inputs);
        Assert.Null(OrtRunner.Difference(expected, actual));
        return upgraded;
    }

    private static OnnxGraph Graph(long[] inputShape)
    {
        var graph = new OnnxGraph("g");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", inputShape.Select(Dim.Fixed).ToArray()));
        return graph;
    }

    private static OnnxModel Single(OnnxNode node, long opset, long[] inputShape, long[] outputShape)
    {
        var graph = Graph(inputShape);
        graph.Nodes.Add(node);
        graph.Outputs.Add(GraphBuilder.Tensor("y", outputShape.Select(Dim.Fixed).ToArray()));
        return new OnnxModel(graph, [new OpsetImport("", opset)], OpsetUpgrader.RequiredIrVersion(opset));
    }
}

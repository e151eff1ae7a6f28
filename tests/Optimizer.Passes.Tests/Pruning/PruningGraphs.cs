using Optimizer.Onnx;
using Optimizer.Passes.Pruning;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Pruning;

/// <summary>Small models for the pruning tests, built through the IR.</summary>
internal static class PruningGraphs
{
    public static PassRequest Prune(params (string Name, string Value)[] options) =>
        new("Prune", options.ToDictionary(o => o.Name, o => o.Value));

    /// <summary>
    /// Runs the Prune pass alone on a copy, without the pipeline's always-on clean-up and fusion
    /// (which would fold the BatchNorm and MatMul+Add these graphs test).
    /// </summary>
    public static (OnnxModel Model, PassReport Report) RunPrune(OnnxModel model, params (string Name, string Value)[] options)
    {
        var copy = model.Clone();
        var report = PrunePass.Create(Prune(options).Options).Run(copy);
        return (copy, report);
    }

    public static OnnxModel Model(OnnxGraph graph) => new(graph, [new OpsetImport("", 13)]);

    public static OnnxNode Conv(string name, string input, string weight, string? bias, string output, long group = 1, long pad = 1)
    {
        var node = new OnnxNode("Conv", bias is null ? [input, weight] : [input, weight, bias], [output], name);
        node.SetAttribute(OnnxAttribute.FromInts("pads", [pad, pad, pad, pad]));
        node.SetAttribute(OnnxAttribute.FromInts("kernel_shape", [3, 3]));
        if (group != 1)
        {
            node.SetAttribute(OnnxAttribute.FromInt("group", group));
        }

        return node;
    }

    public static OnnxNode Gemm(string name, string input, string weight, string? bias, string output)
    {
        var node = new OnnxNode("Gemm", bias is null ? [input, weight] : [input, weight, bias], [output], name);
        node.SetAttribute(OnnxAttribute.FromInt("transB", 1));
        return node;
    }

    /// <summary>Filters <paramref name="zeroFilters"/> of a [out, in, 3, 3] weight are all zero; the rest random.</summary>
    public static OnnxTensor ConvWeight(string name, int outChannels, int inChannels, int seed, params int[] zeroFilters)
    {
        var values = GraphBuilder.Values(outChannels * inChannels * 9, seed);
        foreach (var f in zeroFilters)
        {
            Array.Clear(values, f * inChannels * 9, inChannels * 9);
        }

        return OnnxTensor.FromFloats(name, [outChannels, inChannels, 3, 3], values);
    }

    /// <summary>A bias that is zero at <paramref name="zeroAt"/> and non-zero elsewhere.</summary>
    public static OnnxTensor Vector(string name, int length, int seed, params int[] zeroAt)
    {
        var values = GraphBuilder.Values(length, seed);
        foreach (var i in zeroAt)
        {
            values[i] = 0;
        }

        return OnnxTensor.FromFloats(name, [length], values);
    }

    /// <summary>
    /// x[batch,2,6,6] → Conv1(4) → BatchNorm → Relu → MaxPool 2×2 → Conv2(4) → Relu → Flatten →
    /// Gemm(3) → y. Conv1's filters 1 and 3 and Conv2's filters 0 and 2 are zero (with zero bias
    /// and a BatchNorm that keeps zero at zero), so removing exactly them leaves y unchanged.
    /// </summary>
    public static OnnxModel Cnn()
    {
        var graph = new OnnxGraph("cnn");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Named("batch"), Dim.Fixed(2), Dim.Fixed(6), Dim.Fixed(6)));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Named("batch"), Dim.Fixed(3)));
        graph.Initializers.Add(ConvWeight("w1", 4, 2, 11, 1, 3));
        graph.Initializers.Add(Vector("b1", 4, 12, 1, 3));
        graph.Initializers.Add(OnnxTensor.FromFloats("bn_scale", [4], [1.5f, 0.5f, 2f, 0.8f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("bn_bias", [4], [0.1f, 0f, -0.2f, 0f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("bn_mean", [4], [0.05f, 0f, 0.1f, 0f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("bn_var", [4], [1.2f, 1f, 0.7f, 1f]));
        graph.Initializers.Add(ConvWeight("w2", 4, 4, 13, 0, 2));
        graph.Initializers.Add(Vector("b2", 4, 14, 0, 2));
        graph.Initializers.Add(OnnxTensor.FromFloats("fc_w", [3, 36], GraphBuilder.Values(3 * 36, 15)));
        graph.Initializers.Add(Vector("fc_b", 3, 16));
        graph.Nodes.Add(Conv("conv1", "x", "w1", "b1", "c1"));
        graph.Nodes.Add(new OnnxNode("BatchNormalization", ["c1", "bn_scale", "bn_bias", "bn_mean", "bn_var"], ["n1"], "bn1"));
        graph.Nodes.Add(new OnnxNode("Relu", ["n1"], ["r1"], "relu1"));
        var pool = new OnnxNode("MaxPool", ["r1"], ["p1"], "pool1");
        pool.SetAttribute(OnnxAttribute.FromInts("kernel_shape", [2, 2]));
        pool.SetAttribute(OnnxAttribute.FromInts("strides", [2, 2]));
        graph.Nodes.Add(pool);
        graph.Nodes.Add(Conv("conv2", "p1", "w2", "b2", "c2"));
        graph.Nodes.Add(new OnnxNode("Relu", ["c2"], ["r2"], "relu2"));
        graph.Nodes.Add(new OnnxNode("Flatten", ["r2"], ["f"], "flatten"));
        graph.Nodes.Add(Gemm("fc", "f", "fc_w", "fc_b", "y"));
        graph.ValueInfos.Add(GraphBuilder.Tensor("c1", Dim.Named("batch"), Dim.Fixed(4), Dim.Fixed(6), Dim.Fixed(6)));
        return Model(graph);
    }

    /// <summary>
    /// x[batch,2,4,4] → ConvA(2) and ConvB(4) → Concat(axis 1) → Relu → ConvC(3) → y. ConvA's
    /// filter 1 and ConvB's filters 0 and 3 are zero with zero bias.
    /// </summary>
    public static OnnxModel ConcatBranches()
    {
        var graph = new OnnxGraph("concat");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Named("batch"), Dim.Fixed(2), Dim.Fixed(4), Dim.Fixed(4)));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Named("batch"), Dim.Fixed(3), Dim.Fixed(4), Dim.Fixed(4)));
        graph.Initializers.Add(ConvWeight("wa", 2, 2, 21, 1));
        graph.Initializers.Add(Vector("ba", 2, 22, 1));
        graph.Initializers.Add(ConvWeight("wb", 4, 2, 23, 0, 3));
        graph.Initializers.Add(Vector("bb", 4, 24, 0, 3));
        graph.Initializers.Add(ConvWeight("wc", 3, 6, 25));
        graph.Nodes.Add(Conv("convA", "x", "wa", "ba", "a"));
        graph.Nodes.Add(Conv("convB", "x", "wb", "bb", "b"));
        var concat = new OnnxNode("Concat", ["a", "b"], ["ab"], "concat");
        concat.SetAttribute(OnnxAttribute.FromInt("axis", 1));
        graph.Nodes.Add(concat);
        graph.Nodes.Add(new OnnxNode("Relu", ["ab"], ["r"], "relu"));
        graph.Nodes.Add(Conv("convC", "r", "wc", null, "y"));
        return Model(graph);
    }

    /// <summary>x[batch,4,4,4] → Conv1(4) → Relu → Conv2(4) → Add(Conv2, Relu) → Conv3(2) → y: a residual block.</summary>
    public static OnnxModel Residual()
    {
        var graph = new OnnxGraph("residual");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Named("batch"), Dim.Fixed(4), Dim.Fixed(4), Dim.Fixed(4)));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Named("batch"), Dim.Fixed(2), Dim.Fixed(4), Dim.Fixed(4)));
        graph.Initializers.Add(ConvWeight("w1", 4, 4, 31));
        graph.Initializers.Add(ConvWeight("w2", 4, 4, 32));
        graph.Initializers.Add(ConvWeight("w3", 2, 4, 33));
        graph.Nodes.Add(Conv("conv1", "x", "w1", null, "c1"));
        graph.Nodes.Add(new OnnxNode("Relu", ["c1"], ["r1"], "relu1"));
        graph.Nodes.Add(Conv("conv2", "r1", "w2", null, "c2"));
        graph.Nodes.Add(new OnnxNode("Add", ["c2", "r1"], ["s"], "add"));
        graph.Nodes.Add(Conv("conv3", "s", "w3", null, "y"));
        return Model(graph);
    }

    /// <summary>x[batch,2,4,4] → Conv1(4) → depthwise Conv(group 4) → y.</summary>
    public static OnnxModel DepthwiseAfterConv()
    {
        var graph = new OnnxGraph("depthwise");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Named("batch"), Dim.Fixed(2), Dim.Fixed(4), Dim.Fixed(4)));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Named("batch"), Dim.Fixed(4), Dim.Fixed(4), Dim.Fixed(4)));
        graph.Initializers.Add(ConvWeight("w1", 4, 2, 41));
        graph.Initializers.Add(ConvWeight("wd", 4, 1, 42));
        graph.Nodes.Add(Conv("conv1", "x", "w1", null, "c1"));
        graph.Nodes.Add(Conv("dw", "c1", "wd", null, "y", group: 4));
        return Model(graph);
    }

    /// <summary>x[batch,4] → MatMul(W1 [4,4]) → Relu → MatMul(W2 [4,2]) → Add(b [2]) → y, with the given weights.</summary>
    public static OnnxModel MatMulPair(float[] w1, float[] w2)
    {
        var graph = new OnnxGraph("mlp");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Named("batch"), Dim.Fixed(4)));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Named("batch"), Dim.Fixed(2)));
        graph.Initializers.Add(OnnxTensor.FromFloats("W1", [4, 4], w1));
        graph.Initializers.Add(OnnxTensor.FromFloats("W2", [4, 2], w2));
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [2], [0.5f, -0.5f]));
        graph.Nodes.Add(new OnnxNode("MatMul", ["x", "W1"], ["h"], "mm1"));
        graph.Nodes.Add(new OnnxNode("Relu", ["h"], ["r"], "relu"));
        graph.Nodes.Add(new OnnxNode("MatMul", ["r", "W2"], ["m"], "mm2"));
        graph.Nodes.Add(new OnnxNode("Add", ["m", "b"], ["y"], "bias"));
        return Model(graph);
    }

    public static float[] Weights(OnnxModel model, string initializer) => model.Graph.FindInitializer(initializer)!.ToFloatArray();

    public static IReadOnlyList<long> Dims(OnnxModel model, string initializer) => model.Graph.FindInitializer(initializer)!.Dims;
}

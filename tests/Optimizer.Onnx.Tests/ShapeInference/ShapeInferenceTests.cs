namespace Optimizer.Onnx.Tests.ShapeInference;

public sealed class ShapeInferenceTests
{
    private static OnnxModel Model(OnnxGraph graph, long opset = 13) => new(graph, [new OpsetImport("", opset)]);

    private static ValueInfo Input(string name, params Dim[] dims) => new(name, ValueTypeInfo.Tensor(TensorElementType.Float, dims));

    private static OnnxNode Node(string op, string[] inputs, string output, params OnnxAttribute[] attributes)
    {
        var node = new OnnxNode(op, inputs, [output], output);
        foreach (var a in attributes) node.SetAttribute(a);
        return node;
    }

    private static string ShapeOf(IReadOnlyDictionary<string, ValueTypeInfo> types, string name) => types[name].ToString();

    [Fact]
    public void A_cnn_keeps_its_batch_symbol_through_conv_pool_flatten_and_gemm()
    {
        var graph = new OnnxGraph("cnn");
        graph.DeclaredInputs.Add(Input("x", Dim.Named("batch"), Dim.Fixed(1), Dim.Fixed(28), Dim.Fixed(28)));
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [8, 1, 3, 3], new float[72]));
        graph.Initializers.Add(OnnxTensor.FromFloats("fc", [10, 8 * 7 * 7], new float[10 * 392]));
        graph.Nodes.Add(Node("Conv", ["x", "w"], "c", OnnxAttribute.FromInts("pads", [1, 1, 1, 1])));
        graph.Nodes.Add(Node("BatchNormalization", ["c", "s", "b", "m", "v"], "n"));
        graph.Nodes.Add(Node("Relu", ["n"], "r"));
        graph.Nodes.Add(Node("MaxPool", ["r"], "p", OnnxAttribute.FromInts("kernel_shape", [2, 2]), OnnxAttribute.FromInts("strides", [2, 2])));
        graph.Nodes.Add(Node("AveragePool", ["p"], "a", OnnxAttribute.FromInts("kernel_shape", [3, 3]), OnnxAttribute.FromInts("strides", [2, 2]),
            OnnxAttribute.FromInts("pads", [1, 1, 1, 1])));
        graph.Nodes.Add(Node("Conv", ["p", "w2"], "same", OnnxAttribute.FromString("auto_pad", "SAME_UPPER"), OnnxAttribute.FromInts("kernel_shape", [3, 3]),
            OnnxAttribute.FromInts("strides", [2, 2])));
        graph.Nodes.Add(Node("GlobalAveragePool", ["p"], "g"));
        graph.Nodes.Add(Node("Flatten", ["p"], "f"));
        graph.Nodes.Add(Node("Gemm", ["f", "fc"], "logits", OnnxAttribute.FromInt("transB", 1)));
        graph.Nodes.Add(Node("Softmax", ["logits"], "probs"));
        graph.Outputs.Add(new ValueInfo("probs", null));

        var types = Onnx.ShapeInference.Infer(Model(graph));

        Assert.Equal("Float[batch,8,28,28]", ShapeOf(types, "c"));
        Assert.Equal("Float[batch,8,28,28]", ShapeOf(types, "n"));
        Assert.Equal("Float[batch,8,14,14]", ShapeOf(types, "p"));
        Assert.Equal("Float[batch,8,7,7]", ShapeOf(types, "a"));
        Assert.Equal("Float[batch,?,7,7]", ShapeOf(types, "same"));
        Assert.Equal("Float[batch,8,1,1]", ShapeOf(types, "g"));
        Assert.Equal("Float[batch,1568]", ShapeOf(types, "f"));
        Assert.Equal("Float[batch,10]", ShapeOf(types, "probs"));
    }

    [Fact]
    public void Broadcasting_matmul_and_shape_ops_follow_numpy()
    {
        var graph = new OnnxGraph("ops");
        graph.DeclaredInputs.Add(Input("x", Dim.Named("batch"), Dim.Named("seq"), Dim.Fixed(4)));
        graph.DeclaredInputs.Add(Input("row", Dim.Fixed(4)));
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [4, 6], new float[24]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("shape", [3], [0, 0, -1]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("flat", [2], [-1, 24]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("axes", [1], [1]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("idx", [2], [0, 2]));
        graph.Nodes.Add(Node("Add", ["x", "row"], "sum"));
        graph.Nodes.Add(Node("MatMul", ["x", "w"], "mm"));
        graph.Nodes.Add(Node("MatMul", ["row", "w"], "vec"));
        graph.Nodes.Add(Node("Reshape", ["mm", "shape"], "same"));
        graph.Nodes.Add(Node("Transpose", ["mm"], "t", OnnxAttribute.FromInts("perm", [0, 2, 1])));
        graph.Nodes.Add(Node("Unsqueeze", ["mm", "axes"], "u"));
        graph.Nodes.Add(Node("Squeeze", ["u", "axes"], "s"));
        graph.Nodes.Add(Node("Concat", ["mm", "mm"], "cat", OnnxAttribute.FromInt("axis", -1)));
        graph.Nodes.Add(Node("Shape", ["mm"], "shp"));
        graph.Nodes.Add(Node("Gather", ["mm", "idx"], "gat", OnnxAttribute.FromInt("axis", 2)));
        graph.Nodes.Add(Node("Cast", ["mm"], "half", OnnxAttribute.FromInt("to", (long)TensorElementType.Float16)));
        graph.Nodes.Add(Node("QuantizeLinear", ["mm", "scale", "zp"], "q"));
        graph.Nodes.Add(Node("Reshape", ["w", "flat"], "wflat"));
        graph.Nodes.Add(Node("Sqrt", ["w"], "known_op"));
        graph.Nodes.Add(Node("Erf", ["w"], "unknown_op"));
        graph.DeclaredInputs.Add(new ValueInfo("zp", ValueTypeInfo.Tensor(TensorElementType.Int8, [])));

        var types = Onnx.ShapeInference.Infer(Model(graph));

        Assert.Equal("Float[batch,seq,4]", ShapeOf(types, "sum"));
        Assert.Equal("Float[batch,seq,6]", ShapeOf(types, "mm"));
        Assert.Equal("Float[6]", ShapeOf(types, "vec"));
        Assert.Equal("Float[batch,seq,6]", ShapeOf(types, "same"));
        Assert.Equal("Float[batch,6,seq]", ShapeOf(types, "t"));
        Assert.Equal("Float[batch,1,seq,6]", ShapeOf(types, "u"));
        Assert.Equal("Float[batch,seq,6]", ShapeOf(types, "s"));
        Assert.Equal("Float[batch,seq,12]", ShapeOf(types, "cat"));
        Assert.Equal("Int64[3]", ShapeOf(types, "shp"));
        Assert.Equal("Float[batch,seq,2]", ShapeOf(types, "gat"));
        Assert.Equal("Float16[batch,seq,6]", ShapeOf(types, "half"));
        Assert.Equal("Int8[batch,seq,6]", ShapeOf(types, "q"));
        Assert.Equal("Float[1,24]", ShapeOf(types, "wflat"));
        Assert.Equal("Float[4,6]", ShapeOf(types, "known_op"));
        Assert.False(types.ContainsKey("unknown_op"));
    }

    [Fact]
    public void Annotate_writes_value_info_for_inferred_intermediates_only()
    {
        var graph = new OnnxGraph("g");
        graph.DeclaredInputs.Add(Input("x", Dim.Named("n"), Dim.Fixed(3)));
        graph.Nodes.Add(Node("Relu", ["x"], "r"));
        graph.Nodes.Add(Node("Erf", ["r"], "e"));
        graph.Nodes.Add(Node("Sigmoid", ["e"], "y"));
        graph.Outputs.Add(Input("y", Dim.Named("n"), Dim.Fixed(3)));
        var model = Model(graph);

        var added = Onnx.ShapeInference.Annotate(model);

        Assert.Equal(1, added);
        Assert.Equal("r: Float[n,3]", Assert.Single(model.Graph.ValueInfos).ToString());
    }
}

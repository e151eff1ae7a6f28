namespace Optimizer.Onnx.Tests.ShapeInference;

/// <summary>One-node graphs (the node is always named 'n') that shape inference must refuse, with the code and words expected.</summary>
internal static class InconsistentCases
{
    private const long Huge = 1L << 62;

    public static readonly IReadOnlyDictionary<string, Func<(OnnxGraph Graph, string Code, string[] Fragments)>> All =
        new Dictionary<string, Func<(OnnxGraph, string, string[])>>
        {
            // The four fuzz findings.
            ["Conv strides shorter than kernel_shape"] = () => One(Node("Conv", ["x", "w"], "n", Ints("kernel_shape", 3, 3), Ints("strides", 1)),
                Inconsistent, "Conv", "strides"),
            ["MaxPool strides [2,0] with ceil_mode"] = () => One(Node("MaxPool", ["x"], "n", Ints("kernel_shape", 2, 2), Ints("strides", 2, 0), Int("ceil_mode", 1)),
                Inconsistent, "MaxPool", "strides", "value 0"),
            ["Concat of dims 2^62"] = () => One(Node("Concat", ["huge", "huge"], "n", Int("axis", 0)), Inconsistent, "Concat", "64 bits"),
            ["Unsqueeze axes [0,0]"] = () => One(Node("Unsqueeze", ["x"], "n", Ints("axes", 0, 0)), Inconsistent, "Unsqueeze", "axes", "again"),

            // The same classes of bug found by the audit.
            ["AveragePool strides longer than the spatial axes"] = () => One(Node("AveragePool", ["x"], "n", Ints("kernel_shape", 2, 2), Ints("strides", 1, 1, 1)),
                Inconsistent, "strides", "3 values"),
            ["Conv kernel_shape for another rank"] = () => One(Node("Conv", ["x", "w"], "n", Ints("kernel_shape", 3)), Inconsistent, "kernel_shape"),
            ["Conv dilations 0"] = () => One(Node("Conv", ["x", "w"], "n", Ints("kernel_shape", 3, 3), Ints("dilations", 1, 0)), Inconsistent, "dilations"),
            ["Conv dilations 2^62"] = () => One(Node("Conv", ["x", "w"], "n", Ints("kernel_shape", 3, 3), Ints("dilations", Huge, 1)), Inconsistent, "Conv", "64 bits"),
            ["MaxPool negative pads"] = () => One(Node("MaxPool", ["x"], "n", Ints("kernel_shape", 2, 2), Ints("pads", 0, -5, 0, 0)), Inconsistent, "pads"),
            ["MaxPool pads of the wrong length"] = () => One(Node("MaxPool", ["x"], "n", Ints("kernel_shape", 2, 2), Ints("pads", 1, 1)), Inconsistent, "pads", "needs 4"),
            ["MaxPool kernel larger than the input"] = () => One(Node("MaxPool", ["x"], "n", Ints("kernel_shape", 9, 2)), Inconsistent, "kernel_shape", "9"),
            ["MaxPool kernel_shape 0"] = () => One(Node("MaxPool", ["x"], "n", Ints("kernel_shape", 0, 2)), Inconsistent, "kernel_shape"),
            ["Unsqueeze axis out of range"] = () => One(Node("Unsqueeze", ["x"], "n", Ints("axes", 7)), Inconsistent, "axes", "outside"),
            ["Unsqueeze axes [0,-6] naming one axis"] = () => One(Node("Unsqueeze", ["x"], "n", Ints("axes", 0, -6)), Inconsistent, "axes"),
            ["Squeeze axes [1,1]"] = () => One(Node("Squeeze", ["x"], "n", Ints("axes", 1, 1)), Inconsistent, "axes"),
            ["Squeeze axis out of range"] = () => One(Node("Squeeze", ["x"], "n", Ints("axes", -9)), Inconsistent, "axes"),
            ["Transpose perm [0,0,1,2]"] = () => One(Node("Transpose", ["x"], "n", Ints("perm", 0, 0, 1, 2)), Inconsistent, "perm"),
            ["Transpose perm too short"] = () => One(Node("Transpose", ["x"], "n", Ints("perm", 1, 0)), Inconsistent, "perm", "rank 4"),
            ["Transpose perm out of range"] = () => One(Node("Transpose", ["x"], "n", Ints("perm", 0, 1, 2, 9)), Inconsistent, "perm"),
            ["Flatten axis out of range"] = () => One(Node("Flatten", ["x"], "n", Int("axis", 5)), Inconsistent, "axis"),
            ["Flatten axis 2^32+1"] = () => One(Node("Flatten", ["x"], "n", Int("axis", (1L << 32) + 1)), Inconsistent, "axis"),
            ["Concat axis out of range"] = () => One(Node("Concat", ["x", "x"], "n", Int("axis", 4)), Inconsistent, "axis"),
            ["Gather axis out of range"] = () => One(Node("Gather", ["x", "idx"], "n", Int("axis", -5)), Inconsistent, "axis"),
            ["Reshape with two -1"] = () => One(Node("Reshape", ["x", "two_minus_one"], "n"), Inconsistent, "more than one -1"),
            ["Reshape with -2"] = () => One(Node("Reshape", ["x", "minus_two"], "n"), Inconsistent, "below -1"),
            ["Reshape that does not divide"] = () => One(Node("Reshape", ["x", "by_five"], "n"), Inconsistent, "cannot be reshaped"),
            ["ConstantOfShape negative"] = () => One(Node("ConstantOfShape", ["negative_shape"], "n"), Inconsistent, "-3"),

            // Outputs too large to exist.
            ["Concat to 2^40 + 2"] = () => One(Node("Concat", ["big", "big", "two"], "n", Int("axis", 0)), OnnxErrorCodes.TensorTooLarge, "Concat"),
            ["ConstantOfShape of 2^60 elements"] = () => One(Node("ConstantOfShape", ["huge_shape"], "n"), OnnxErrorCodes.TensorTooLarge, "ConstantOfShape"),
            ["Relu of a 2^62 x 4 input"] = () => One(Node("Relu", ["huge_matrix"], "n"), OnnxErrorCodes.TensorTooLarge, "Relu"),
        };

    private static string Inconsistent => OnnxErrorCodes.NodeInconsistent;

    public static ValueInfo Input(string name, params long[] dims) =>
        new(name, ValueTypeInfo.Tensor(TensorElementType.Float, dims.Select(Dim.Fixed).ToArray()));

    public static OnnxNode Node(string op, string[] inputs, string output, params OnnxAttribute[] attributes)
    {
        var node = new OnnxNode(op, inputs, [output], output);
        foreach (var attribute in attributes)
        {
            node.SetAttribute(attribute);
        }

        return node;
    }

    public static OnnxAttribute Ints(string name, params long[] values) => OnnxAttribute.FromInts(name, values);

    public static OnnxAttribute Int(string name, long value) => OnnxAttribute.FromInt(name, value);

    /// <summary>A graph holding <paramref name="node"/> and every input the cases read.</summary>
    private static (OnnxGraph, string, string[]) One(OnnxNode node, string code, params string[] fragments)
    {
        var graph = new OnnxGraph("case");
        graph.DeclaredInputs.Add(Input("x", 1, 3, 8, 8));
        graph.DeclaredInputs.Add(Input("huge", Huge));
        graph.DeclaredInputs.Add(Input("big", 1L << 39));
        graph.DeclaredInputs.Add(Input("two", 2));
        graph.DeclaredInputs.Add(Input("huge_matrix", Huge, 4));
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [4, 3, 3, 3], new float[108]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("idx", [1], [0]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("two_minus_one", [2], [-1, -1]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("minus_two", [2], [-2, 96]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("by_five", [2], [5, -1]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("negative_shape", [2], [4, -3]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("huge_shape", [2], [1L << 30, 1L << 30]));
        graph.Nodes.Add(node);
        graph.Outputs.Add(new ValueInfo("n", null));
        return (graph, code, fragments);
    }
}

using Optimizer.Onnx;

namespace Optimizer.Engine.Tests.HostileInput;

/// <summary>
/// Models our loader accepts but ONNX Runtime rejects when it creates a session: each kind the
/// hostile-model search found shipping with exit 0. All take x: float[1, 4].
/// </summary>
internal static class UnrunnableModels
{
    public static readonly string[] Kinds = ["opset 9999", "unknown op", "unknown domain", "conv stride 0", "matmul shape mismatch", "transpose bad perm", "concat bad axis", "expand to 2^40 elements"];

    public static void Write(string kind, string path)
    {
        var graph = new OnnxGraph("unrunnable");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(1), Dim.Fixed(4)])));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, null)));
        var opsets = new List<OpsetImport> { new("", 13) };
        switch (kind)
        {
            case "opset 9999":
                opsets[0] = new OpsetImport("", 9999);
                graph.Nodes.Add(new OnnxNode("Relu", ["x"], ["y"], "relu"));
                break;
            case "unknown op":
                graph.Nodes.Add(new OnnxNode("FrobnicateTensor", ["x"], ["y"], "frob"));
                break;
            case "unknown domain":
                opsets.Add(new OpsetImport("com.example.nowhere", 1));
                graph.Nodes.Add(new OnnxNode("Relu", ["x"], ["y"], "relu", "com.example.nowhere"));
                break;
            case "conv stride 0":
            {
                graph.DeclaredInputs[0] = new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(1), Dim.Fixed(1), Dim.Fixed(4), Dim.Fixed(4)]));
                graph.Initializers.Add(OnnxTensor.FromFloats("w", [1, 1, 2, 2], [1, 1, 1, 1]));
                var conv = new OnnxNode("Conv", ["x", "w"], ["y"], "conv");
                conv.Attributes.Add(OnnxAttribute.FromInts("strides", [0, 0]));
                conv.Attributes.Add(OnnxAttribute.FromInts("kernel_shape", [2, 2]));
                graph.Nodes.Add(conv);
                break;
            }
            case "matmul shape mismatch":
                graph.Initializers.Add(OnnxTensor.FromFloats("w", [3, 2], [1, 2, 3, 4, 5, 6]));
                graph.Nodes.Add(new OnnxNode("MatMul", ["x", "w"], ["y"], "matmul"));
                break;
            case "transpose bad perm":
            {
                var transpose = new OnnxNode("Transpose", ["x"], ["y"], "transpose");
                transpose.Attributes.Add(OnnxAttribute.FromInts("perm", [0, 0]));
                graph.Nodes.Add(transpose);
                break;
            }
            case "concat bad axis":
            {
                var concat = new OnnxNode("Concat", ["x", "x"], ["y"], "concat");
                concat.Attributes.Add(OnnxAttribute.FromInt("axis", 7));
                graph.Nodes.Add(concat);
                break;
            }
            case "expand to 2^40 elements":
                // Broadcasts with x; ONNX Runtime folds the constant Expand while creating the session and cannot allocate 4 TiB.
                graph.DeclaredInputs[0] = new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(1), Dim.Fixed(1)]));
                graph.Initializers.Add(OnnxTensor.FromFloats("one", [1], [1]));
                graph.Initializers.Add(OnnxTensor.FromInt64s("shape", [2], [1L << 20, 1L << 20]));
                graph.Nodes.Add(new OnnxNode("Expand", ["one", "shape"], ["big"], "expand"));
                graph.Nodes.Add(new OnnxNode("Add", ["x", "big"], ["y"], "add"));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }

        File.WriteAllBytes(path, OnnxModelWriter.ToBytes(new OnnxModel(graph, opsets, irVersion: 8)));
    }
}

using Optimizer.Onnx;

namespace Optimizer.Tool.Tests;

/// <summary>Small models that hostile inputs are made of, built in the tests so nothing binary is checked in.</summary>
internal static class HostileModels
{
    /// <summary>
    /// y = x + float(Div(int64 min, -1)), the quotient from two initializers: ONNX Runtime's integer
    /// division raises SIGFPE (the x86 idiv overflow), here while it folds the constant at session
    /// creation, so any process that opens a session on it dies by the signal.
    /// </summary>
    public static void WriteIntegerDivisionOverflow(string path)
    {
        var graph = new OnnxGraph("div_overflow");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(1)])));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(1)])));
        graph.Initializers.Add(OnnxTensor.FromInt64s("dividend", [1], [long.MinValue]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("divisor", [1], [-1]));
        graph.Nodes.Add(new OnnxNode("Div", ["dividend", "divisor"], ["quotient"], "div"));
        var cast = new OnnxNode("Cast", ["quotient"], ["quotient_float"], "cast");
        cast.Attributes.Add(OnnxAttribute.FromInt("to", (long)TensorElementType.Float));
        graph.Nodes.Add(cast);
        graph.Nodes.Add(new OnnxNode("Add", ["x", "quotient_float"], ["y"], "add"));
        Save(new OnnxModel(graph, [new OpsetImport("", 13)], irVersion: 8), path);
    }

    /// <summary>A model ONNX Runtime refuses to load: it imports opset 9999 of the default domain.</summary>
    public static void WriteUnsupportedOpset(string path)
    {
        var graph = new OnnxGraph("opset_9999");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(1), Dim.Fixed(4)])));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(1), Dim.Fixed(4)])));
        graph.Nodes.Add(new OnnxNode("Relu", ["x"], ["y"], "relu"));
        Save(new OnnxModel(graph, [new OpsetImport("", 9999)], irVersion: 8), path);
    }

    /// <summary>logits[N,2] = Gemm(input[N,4], W[2,4]ᵀ, b): a valid model to pair with hostile data files.</summary>
    public static void WriteSmallMlp(string path)
    {
        var graph = new OnnxGraph("small_mlp");
        graph.DeclaredInputs.Add(new ValueInfo("input", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("N"), Dim.Fixed(4)])));
        graph.Outputs.Add(new ValueInfo("logits", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("N"), Dim.Fixed(2)])));
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [2, 4], [0.5f, -0.25f, 0.75f, 1f, -1f, 0.5f, 0.25f, -0.5f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("b", [2], [0.1f, -0.1f]));
        var node = new OnnxNode("Gemm", ["input", "w", "b"], ["logits"], "fc");
        node.Attributes.Add(OnnxAttribute.FromInt("transB", 1));
        graph.Nodes.Add(node);
        Save(new OnnxModel(graph, [new OpsetImport("", 13)], irVersion: 8), path);
    }

    private static void Save(OnnxModel model, string path) => File.WriteAllBytes(path, OnnxModelWriter.ToBytes(model));
}

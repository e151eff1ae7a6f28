using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Pruning;

/// <summary>
/// One BERT-style encoder block built through the IR, in the other export form than arctic's: constant
/// Reshape shapes ([0, 0, H, d] shared by Q, K and V; [0, 0, H·d] for the merge) instead of Concats of
/// Shape/Gather pieces, so the finder is exercised on both. x [batch, seq, D] → attention with H heads of d
/// → residual → FFN of F neurons with the Erf Gelu → residual → y [batch, seq, D].
/// </summary>
internal static class TinyEncoder
{
    public const int Hidden = 8, Heads = 2, HeadSize = 4, Neurons = 16;
    public const string SplitShape = "heads_shape", MergeShape = "merge_shape", OutputWeight = "Wo", DownWeight = "W2";

    public static OnnxModel Build()
    {
        var graph = new OnnxGraph("tiny_encoder");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Named("batch"), Dim.Named("seq"), Dim.Fixed(Hidden)));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Named("batch"), Dim.Named("seq"), Dim.Fixed(Hidden)));
        graph.Initializers.Add(OnnxTensor.FromInt64s(SplitShape, [4], [0, 0, Heads, HeadSize]));
        graph.Initializers.Add(OnnxTensor.FromInt64s(MergeShape, [3], [0, 0, Heads * HeadSize]));
        Scalar(graph, "scale", MathF.Sqrt(HeadSize));
        Scalar(graph, "sqrt2", MathF.Sqrt(2));
        Scalar(graph, "one", 1);
        Scalar(graph, "half", 0.5f);

        var seed = 1;
        foreach (var p in new[] { "q", "k", "v" })
        {
            Linear(graph, p, "x", Hidden, Hidden, seed++, p == "q" ? "Wq" : p == "k" ? "Wk" : "Wv");
            graph.Nodes.Add(new OnnxNode("Reshape", [p + "_b", SplitShape], [p + "_r"], p + "_split"));
        }

        graph.Nodes.Add(Transpose("q_r", "q_t", [0, 2, 1, 3]));
        graph.Nodes.Add(Transpose("k_r", "k_t", [0, 2, 3, 1]));
        graph.Nodes.Add(Transpose("v_r", "v_t", [0, 2, 1, 3]));
        graph.Nodes.Add(new OnnxNode("MatMul", ["q_t", "k_t"], ["scores"], "scores"));
        graph.Nodes.Add(new OnnxNode("Div", ["scores", "scale"], ["scaled"], "scale_scores"));
        var softmax = new OnnxNode("Softmax", ["scaled"], ["probs"], "softmax");
        softmax.SetAttribute(OnnxAttribute.FromInt("axis", -1));
        graph.Nodes.Add(softmax);
        graph.Nodes.Add(new OnnxNode("MatMul", ["probs", "v_t"], ["context"], "context"));
        graph.Nodes.Add(Transpose("context", "context_t", [0, 2, 1, 3]));
        graph.Nodes.Add(new OnnxNode("Reshape", ["context_t", MergeShape], ["merged"], "merge"));
        Linear(graph, "o", "merged", Hidden, Hidden, seed++, OutputWeight);
        graph.Nodes.Add(new OnnxNode("Add", ["o_b", "x"], ["r1"], "residual1"));

        Linear(graph, "up", "r1", Hidden, Neurons, seed++, "W1");
        graph.Nodes.Add(new OnnxNode("Div", ["up_b", "sqrt2"], ["g1"], "gelu_div"));
        graph.Nodes.Add(new OnnxNode("Erf", ["g1"], ["g2"], "gelu_erf"));
        graph.Nodes.Add(new OnnxNode("Add", ["g2", "one"], ["g3"], "gelu_add"));
        graph.Nodes.Add(new OnnxNode("Mul", ["up_b", "g3"], ["g4"], "gelu_mul"));
        graph.Nodes.Add(new OnnxNode("Mul", ["g4", "half"], ["g5"], "gelu_half"));
        Linear(graph, "down", "g5", Neurons, Hidden, seed, DownWeight);
        graph.Nodes.Add(new OnnxNode("Add", ["down_b", "r1"], ["y"], "residual2"));
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }

    /// <summary>x values for <paramref name="batch"/> sequences of <paramref name="sequence"/> tokens.</summary>
    public static (string Name, float[] Data, long[] Shape) Input(int batch, int sequence) =>
        ("x", GraphBuilder.Values(batch * sequence * Hidden, seed: 9), [batch, sequence, Hidden]);

    // name = input · W + b, as name_mm and name_b.
    private static void Linear(OnnxGraph graph, string name, string input, int inputs, int outputs, int seed, string weight)
    {
        graph.Initializers.Add(OnnxTensor.FromFloats(weight, [inputs, outputs], GraphBuilder.Values(inputs * outputs, seed)));
        graph.Initializers.Add(OnnxTensor.FromFloats(name + "_bias", [outputs], GraphBuilder.Values(outputs, seed + 100)));
        graph.Nodes.Add(new OnnxNode("MatMul", [input, weight], [name + "_mm"], name + "_matmul"));
        graph.Nodes.Add(new OnnxNode("Add", [name + "_mm", name + "_bias"], [name + "_b"], name + "_add"));
    }

    private static OnnxNode Transpose(string input, string output, long[] perm)
    {
        var node = new OnnxNode("Transpose", [input], [output], output);
        node.SetAttribute(OnnxAttribute.FromInts("perm", perm));
        return node;
    }

    private static void Scalar(OnnxGraph graph, string name, float value) => graph.Initializers.Add(OnnxTensor.FromFloats(name, [], [value]));
}

using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Quantization.Recurrent;

/// <summary>Small Conv and LSTM models built through the IR, weights from fixed seeds.</summary>
internal static class ConvLstmModels
{
    /// <summary>x [1,3,8,8] → Conv 3×3 (pads 1, bias) → Relu → depthwise Conv 3×3 (group 4, stride 2, bias) → y [1,4,4,4].</summary>
    public static OnnxModel Conv2d(long opset = 13)
    {
        var graph = new OnnxGraph("conv2d");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Fixed(1), Dim.Fixed(3), Dim.Fixed(8), Dim.Fixed(8)));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Fixed(1), Dim.Fixed(4), Dim.Fixed(4), Dim.Fixed(4)));
        graph.Initializers.AddRange([
            OnnxTensor.FromFloats("W1", [4, 3, 3, 3], GraphBuilder.Values(108, seed: 1)), OnnxTensor.FromFloats("B1", [4], GraphBuilder.Values(4, seed: 2)),
            OnnxTensor.FromFloats("W2", [4, 1, 3, 3], GraphBuilder.Values(36, seed: 3)), OnnxTensor.FromFloats("B2", [4], GraphBuilder.Values(4, seed: 4)),
        ]);
        graph.Nodes.Add(Conv("conv1", "x", "W1", "B1", "c1", pads: [1, 1, 1, 1]));
        graph.Nodes.Add(new OnnxNode("Relu", ["c1"], ["r1"], "relu1"));
        var depthwise = Conv("conv2", "r1", "W2", "B2", "y", pads: [1, 1, 1, 1]);
        depthwise.SetAttribute(OnnxAttribute.FromInt("group", 4));
        depthwise.SetAttribute(OnnxAttribute.FromInts("strides", [2, 2]));
        graph.Nodes.Add(depthwise);
        return new OnnxModel(graph, [new OpsetImport("", opset)]);
    }

    /// <summary>
    /// An If (on int64 flag ≠ 0) whose branches each hold a 1-D Conv over x [1,4,16]: then reads the main graph's
    /// initializer W (outer scope) and bias B, else a Constant node of its own and no bias → y [1,6,12].
    /// </summary>
    public static OnnxModel ConvInIfBranches()
    {
        var graph = new OnnxGraph("conv_if");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("x", Dim.Fixed(1), Dim.Fixed(4), Dim.Fixed(16)));
        graph.DeclaredInputs.Add(new ValueInfo("flag", ValueTypeInfo.Tensor(TensorElementType.Int64, [])));
        graph.Outputs.Add(GraphBuilder.Tensor("y", Dim.Fixed(1), Dim.Fixed(6), Dim.Fixed(12)));
        graph.Initializers.AddRange([OnnxTensor.FromFloats("W", [6, 4, 5], GraphBuilder.Values(120, seed: 5)), OnnxTensor.FromFloats("B", [6], GraphBuilder.Values(6, seed: 6))]);

        var thenBranch = new OnnxGraph("then");
        thenBranch.Outputs.Add(GraphBuilder.Tensor("y_then", Dim.Fixed(1), Dim.Fixed(6), Dim.Fixed(12)));
        thenBranch.Nodes.Add(Conv("conv_then", "x", "W", "B", "y_then", pads: [0, 0]));

        var elseBranch = new OnnxGraph("else");
        elseBranch.Outputs.Add(GraphBuilder.Tensor("y_else", Dim.Fixed(1), Dim.Fixed(6), Dim.Fixed(12)));
        var constant = new OnnxNode("Constant", [], ["W_else"], "W_else_Constant");
        constant.SetAttribute(OnnxAttribute.FromTensor("value", OnnxTensor.FromFloats("W_else", [6, 4, 5], GraphBuilder.Values(120, seed: 7))));
        elseBranch.Nodes.Add(constant);
        elseBranch.Nodes.Add(Conv("conv_else", "x", "W_else", null, "y_else", pads: [0, 0]));

        var cast = new OnnxNode("Cast", ["flag"], ["condition"], "flag_Cast");
        cast.SetAttribute(OnnxAttribute.FromInt("to", (long)TensorElementType.Bool));
        graph.Nodes.Add(cast);
        var ifNode = new OnnxNode("If", ["condition"], ["y"], "branch");
        ifNode.SetAttribute(OnnxAttribute.FromGraph("then_branch", thenBranch));
        ifNode.SetAttribute(OnnxAttribute.FromGraph("else_branch", elseBranch));
        graph.Nodes.Add(ifNode);
        return new OnnxModel(graph, [new OpsetImport("", 13)]);
    }

    /// <summary>
    /// X [5,2,8] → LSTM (hidden 16, bias, initial_h/c inputs [D,2,16]) → Y [5,D,2,16], Y_h, Y_c;
    /// bidirectional (D = 2) or forward (D = 1).
    /// </summary>
    public static OnnxModel Lstm(bool bidirectional, long layout = 0)
    {
        const int seq = 5, batch = 2, input = 8, hidden = 16;
        var directions = bidirectional ? 2 : 1;
        var graph = new OnnxGraph("lstm");
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("X", Dim.Fixed(seq), Dim.Fixed(batch), Dim.Fixed(input)));
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("h0", Dim.Fixed(directions), Dim.Fixed(batch), Dim.Fixed(hidden)));
        graph.DeclaredInputs.Add(GraphBuilder.Tensor("c0", Dim.Fixed(directions), Dim.Fixed(batch), Dim.Fixed(hidden)));
        graph.Outputs.Add(GraphBuilder.Tensor("Y", Dim.Fixed(seq), Dim.Fixed(directions), Dim.Fixed(batch), Dim.Fixed(hidden)));
        graph.Outputs.Add(GraphBuilder.Tensor("Y_h", Dim.Fixed(directions), Dim.Fixed(batch), Dim.Fixed(hidden)));
        graph.Outputs.Add(GraphBuilder.Tensor("Y_c", Dim.Fixed(directions), Dim.Fixed(batch), Dim.Fixed(hidden)));
        graph.Initializers.AddRange([
            OnnxTensor.FromFloats("W", [directions, 4 * hidden, input], Scaled(GraphBuilder.Values(directions * 4 * hidden * input, seed: 8), 0.5f)),
            OnnxTensor.FromFloats("R", [directions, 4 * hidden, hidden], Scaled(GraphBuilder.Values(directions * 4 * hidden * hidden, seed: 9), 0.3f)),
            OnnxTensor.FromFloats("B", [directions, 8 * hidden], Scaled(GraphBuilder.Values(directions * 8 * hidden, seed: 10), 0.1f)),
        ]);
        var lstm = new OnnxNode("LSTM", ["X", "W", "R", "B", "", "h0", "c0"], ["Y", "Y_h", "Y_c"], "lstm");
        lstm.SetAttribute(OnnxAttribute.FromInt("hidden_size", hidden));
        lstm.SetAttribute(OnnxAttribute.FromString("direction", bidirectional ? "bidirectional" : "forward"));
        lstm.SetAttribute(OnnxAttribute.FromInt("layout", layout));
        graph.Nodes.Add(lstm);
        return new OnnxModel(graph, [new OpsetImport("", 14)]);
    }

    /// <summary>The inputs of <see cref="Lstm"/>: X uniform in [-1, 1], a non-zero initial state.</summary>
    public static IReadOnlyList<OnnxTensor> LstmInputs(bool bidirectional)
    {
        var directions = bidirectional ? 2 : 1;
        return
        [
            OnnxTensor.FromFloats("X", [5, 2, 8], GraphBuilder.Values(80, seed: 11)),
            OnnxTensor.FromFloats("h0", [directions, 2, 16], Scaled(GraphBuilder.Values(directions * 32, seed: 12), 0.5f)),
            OnnxTensor.FromFloats("c0", [directions, 2, 16], Scaled(GraphBuilder.Values(directions * 32, seed: 13), 0.5f)),
        ];
    }

    private static OnnxNode Conv(string name, string x, string w, string? b, string y, long[] pads)
    {
        var conv = new OnnxNode("Conv", b is null ? [x, w] : [x, w, b], [y], name);
        conv.SetAttribute(OnnxAttribute.FromInts("pads", pads));
        return conv;
    }

    private static float[] Scaled(float[] values, float scale) => values.Select(v => v * scale).ToArray();
}

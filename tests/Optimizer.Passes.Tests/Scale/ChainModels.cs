using Optimizer.Onnx;

namespace Optimizer.Passes.Tests.Scale;

/// <summary>
/// Long single-path models over a small float tensor x[1,16], the shapes whose optimization cost
/// shows whether a pass is linear in the graph size (tests/Optimizer.Passes.Tests/Scale/make-chain.py
/// writes the same models as files for timing the CLI).
/// </summary>
internal static class ChainModels
{
    private const int Width = 16;
    private static readonly string[] MixedOps = ["Relu", "Add", "Mul", "Identity", "Cast", "Neg"];

    /// <summary>Relu, Add, Mul, Identity, Cast (to float: a no-op) and Neg in turn; Add and Mul read one shared constant.</summary>
    public static OnnxModel Mixed(int length) => Chain(length, (graph, i, input, output) =>
    {
        var op = MixedOps[i % MixedOps.Length];
        var node = new OnnxNode(op, op is "Add" or "Mul" ? [input, "k"] : [input], [output], $"n{i}");
        if (op == "Cast")
        {
            node.SetAttribute(OnnxAttribute.FromInt("to", (long)TensorElementType.Float));
        }

        graph.Nodes.Add(node);
    });

    /// <summary>Identity after Identity: every node is a no-op to remove.</summary>
    public static OnnxModel Identities(int length) => Chain(length, (graph, i, input, output) =>
        graph.Nodes.Add(new OnnxNode("Identity", [input], [output], $"n{i}")));

    /// <summary>Relu after Relu, each with a Neg hanging off its input that nothing reads (half the nodes are dead).</summary>
    public static OnnxModel WithDeadBranches(int length) => Chain(length / 2, (graph, i, input, output) =>
    {
        graph.Nodes.Add(new OnnxNode("Relu", [input], [output], $"n{i}"));
        graph.Nodes.Add(new OnnxNode("Neg", [input], [$"dead{i}"], $"dead{i}"));
    });

    /// <summary><c>c_i = c_(i-1) + one</c> over constants (all fold to one initializer), then y = x + c.</summary>
    public static OnnxModel ConstantAdds(int length)
    {
        var model = Chain(0, (_, _, _, _) => { });
        var previous = "one";
        for (var i = 0; i < length - 1; i++)
        {
            model.Graph.Nodes.Add(new OnnxNode("Add", [previous, "one"], [$"c{i}"], $"c{i}"));
            previous = $"c{i}";
        }

        model.Graph.Nodes.Add(new OnnxNode("Add", ["x", previous], ["y"], "last"));
        return model;
    }

    private static OnnxModel Chain(int length, Action<OnnxGraph, int, string, string> add)
    {
        var graph = new OnnxGraph("chain");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(1), Dim.Fixed(Width)])));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Fixed(1), Dim.Fixed(Width)])));
        graph.Initializers.Add(OnnxTensor.FromFloats("k", [1, Width], Enumerable.Repeat(0.5f, Width).ToArray()));
        graph.Initializers.Add(OnnxTensor.FromFloats("one", [1, Width], Enumerable.Repeat(1f, Width).ToArray()));
        var previous = "x";
        for (var i = 0; i < length; i++)
        {
            var output = i == length - 1 ? "y" : $"v{i}";
            add(graph, i, previous, output);
            previous = output;
        }

        return new OnnxModel(graph, [new OpsetImport("", 17)]) { IrVersion = 8 };
    }
}

using Optimizer.Onnx;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>What a one-node LSTM or GRU model built by <see cref="RecurrentModels.Build"/> has.</summary>
/// <param name="Op">"LSTM" or "GRU".</param>
/// <param name="Direction">forward, reverse or bidirectional.</param>
/// <param name="Peepholes">An LSTM's P initializer.</param>
/// <param name="Clip">The clip attribute (0: none).</param>
/// <param name="LinearBeforeReset">A GRU's linear_before_reset.</param>
/// <param name="States">initial_h (and an LSTM's initial_c) as graph inputs [dirs, batch, hidden], else absent (zeros).</param>
public sealed record RecurrentLayerSpec(string Op, string Direction, int Input, int Hidden, bool Peepholes = false, float Clip = 0, int LinearBeforeReset = 0, bool States = true)
{
    public int Directions => Direction == "bidirectional" ? 2 : 1;

    public int Gates => Op == "LSTM" ? 4 : 3;

    /// <summary>The graph inputs in order: X [seq, batch, input], then the states when <see cref="States"/>.</summary>
    public string[] InputNames => !States ? ["X"] : Op == "LSTM" ? ["X", "initial_h", "initial_c"] : ["X", "initial_h"];

    /// <summary>Each input's shape at (batch, seq).</summary>
    public long[] InputShape(string name, int batch, int seq) => name == "X" ? [seq, batch, Input] : [Directions, batch, Hidden];

    public override string ToString() => $"{Op} {Direction} {Input}→{Hidden}{(Peepholes ? " peepholes" : "")}{(Clip > 0 ? $" clip {Clip}" : "")}{(LinearBeforeReset != 0 ? " linear_before_reset" : "")}{(States ? "" : " zero state")}";
}

/// <summary>
/// One-node LSTM/GRU models (opset 14, layout 0) with symbolic batch and seq, written with
/// Optimizer.Onnx's API: weights drawn like PyTorch's default (uniform ±1/√hidden), outputs Y,
/// Y_h and an LSTM's Y_c.
/// </summary>
public static class RecurrentModels
{
    public static OnnxModel Build(RecurrentLayerSpec spec, int seed = 1)
    {
        var (dirs, hidden, gates) = (spec.Directions, spec.Hidden, spec.Gates);
        var graph = new OnnxGraph(spec.Op.ToLowerInvariant());
        graph.DeclaredInputs.Add(Tensor("X", Dim.Named("seq"), Dim.Named("batch"), Dim.Fixed(spec.Input)));
        foreach (var state in spec.InputNames.Skip(1))
        {
            graph.DeclaredInputs.Add(Tensor(state, Dim.Fixed(dirs), Dim.Named("batch"), Dim.Fixed(hidden)));
        }

        var scale = 1f / MathF.Sqrt(hidden);
        var random = new Random(seed);
        float[] Draw(int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        graph.Initializers.Add(OnnxTensor.FromFloats("W", [dirs, gates * hidden, spec.Input], Draw(dirs * gates * hidden * spec.Input)));
        graph.Initializers.Add(OnnxTensor.FromFloats("R", [dirs, gates * hidden, hidden], Draw(dirs * gates * hidden * hidden)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B", [dirs, 2 * gates * hidden], Draw(dirs * 2 * gates * hidden)));
        var inputs = new List<string> { "X", "W", "R", "B", "", spec.States ? "initial_h" : "" };
        if (spec.Op == "LSTM")
        {
            inputs.Add(spec.States ? "initial_c" : "");
            if (spec.Peepholes)
            {
                graph.Initializers.Add(OnnxTensor.FromFloats("P", [dirs, 3 * hidden], Draw(dirs * 3 * hidden)));
                inputs.Add("P");
            }
        }

        while (inputs[^1].Length == 0)
        {
            inputs.RemoveAt(inputs.Count - 1);
        }

        var outputs = spec.Op == "LSTM" ? new[] { "Y", "Y_h", "Y_c" } : ["Y", "Y_h"];
        graph.Outputs.Add(Tensor("Y", Dim.Named("seq"), Dim.Fixed(dirs), Dim.Named("batch"), Dim.Fixed(hidden)));
        foreach (var state in outputs.Skip(1))
        {
            graph.Outputs.Add(Tensor(state, Dim.Fixed(dirs), Dim.Named("batch"), Dim.Fixed(hidden)));
        }

        var node = new OnnxNode(spec.Op, inputs, outputs, spec.Op.ToLowerInvariant());
        node.SetAttribute(OnnxAttribute.FromInt("hidden_size", hidden));
        node.SetAttribute(OnnxAttribute.FromString("direction", spec.Direction));
        if (spec.Clip > 0)
        {
            node.SetAttribute(OnnxAttribute.FromFloat("clip", spec.Clip));
        }

        if (spec.Op == "GRU")
        {
            node.SetAttribute(OnnxAttribute.FromInt("linear_before_reset", spec.LinearBeforeReset));
        }

        graph.Nodes.Add(node);
        return new OnnxModel(graph, [new OpsetImport("", 14)]) { IrVersion = 8 };
    }

    /// <summary>Inputs in [-1, 1) for every graph input of <paramref name="spec"/> at (batch, seq), in graph order.</summary>
    public static (string Name, float[] Values, long[] Shape)[] Inputs(RecurrentLayerSpec spec, int batch, int seq, int seed = 7)
    {
        var random = new Random(seed);
        return spec.InputNames.Select(name =>
        {
            var shape = spec.InputShape(name, batch, seq);
            var values = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            return (name, values, shape);
        }).ToArray();
    }

    private static ValueInfo Tensor(string name, params Dim[] dims) => new(name, ValueTypeInfo.Tensor(TensorElementType.Float, dims));
}

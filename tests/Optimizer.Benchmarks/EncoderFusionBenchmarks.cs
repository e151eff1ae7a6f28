using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;

namespace Optimizer.Benchmarks;

/// <summary>
/// Issue 13's fusion decisions: each ONNX Runtime com.microsoft fusion against the primitive ops it
/// replaces, at arctic_embed_xs's sizes (hidden 384, 12 heads of 32, batch 1). The primitive form runs
/// at ORT_ENABLE_BASIC, as it does inside a real PyTorch export, where ORT cannot prove the shapes its
/// own fusions need (at ORT_ENABLE_ALL it would fuse these small static-shape graphs itself).
/// Run: <c>dotnet run -c Release --project tests/Optimizer.Benchmarks -- --filter '*Fusion*' --no-info</c>.
/// </summary>
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EncoderFusionBenchmarks
{
    private const int Hidden = 384;
    private const int Heads = 12;
    private readonly Dictionary<string, (InferenceSession Session, OrtValue[] Inputs, string[] Names)> _runs = new();

    /// <summary>Tokens per sentence.</summary>
    [Params(16, 128)]
    public int SequenceLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Add(nameof(ResidualAddsAndLayerNorm), ResidualLayerNorm(fused: false), GraphOptimizationLevel.ORT_ENABLE_BASIC);
        Add(nameof(SkipLayerNormalization), ResidualLayerNorm(fused: true), GraphOptimizationLevel.ORT_ENABLE_ALL);
        Add(nameof(PrimitiveAttention), Attention(fused: false), GraphOptimizationLevel.ORT_ENABLE_BASIC);
        Add(nameof(MultiHeadAttention), Attention(fused: true), GraphOptimizationLevel.ORT_ENABLE_ALL);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (session, inputs, _) in _runs.Values)
        {
            session.Dispose();
            Array.ForEach(inputs, v => v.Dispose());
        }

        _runs.Clear();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("LayerNorm")]
    public void ResidualAddsAndLayerNorm() => Run(nameof(ResidualAddsAndLayerNorm));

    [Benchmark]
    [BenchmarkCategory("LayerNorm")]
    public void SkipLayerNormalization() => Run(nameof(SkipLayerNormalization));

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Attention")]
    public void PrimitiveAttention() => Run(nameof(PrimitiveAttention));

    [Benchmark]
    [BenchmarkCategory("Attention")]
    public void MultiHeadAttention() => Run(nameof(MultiHeadAttention));

    private void Run(string name)
    {
        var (session, inputs, names) = _runs[name];
        using var outputs = session.Run(new RunOptions(), names, inputs, session.OutputNames);
    }

    private void Add(string name, OnnxModel model, GraphOptimizationLevel level)
    {
        var options = ModelVariants.CreateSessionOptions();
        options.GraphOptimizationLevel = level;
        var session = new InferenceSession(OnnxModelWriter.ToBytes(model), options);
        var random = new Random(5);
        long[] shape = [1, SequenceLength, Hidden];
        var names = session.InputNames.ToArray();
        var inputs = names.Select(input => input == "mask"
            ? OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, SequenceLength).ToArray(), [1, SequenceLength])
            : OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, SequenceLength * Hidden).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(), shape)).ToArray();
        _runs[name] = (session, inputs, names);
    }

    /// <summary>LayerNorm(x + bias + skip): ReduceMean … Add(β) as an opset-11 export writes it, or SkipLayerNormalization.</summary>
    private static OnnxModel ResidualLayerNorm(bool fused)
    {
        var graph = new OnnxGraph("residual_layer_norm");
        graph.DeclaredInputs.AddRange([Activation("x"), Activation("skip")]);
        graph.Outputs.Add(Activation("y"));
        graph.Initializers.AddRange([Vector("bias", 1), Vector("gamma", 2), Vector("beta", 3), OnnxTensor.FromFloats("two", [], [2f]), OnnxTensor.FromFloats("epsilon", [], [1e-12f])]);
        if (fused)
        {
            var node = new OnnxNode("SkipLayerNormalization", ["x", "skip", "gamma", "beta", "bias"], ["y"], "sln", "com.microsoft");
            node.SetAttribute(OnnxAttribute.FromFloat("epsilon", 1e-12f));
            graph.Nodes.Add(node);
            return Model(graph);
        }

        OnnxNode Mean(string input, string output)
        {
            var mean = new OnnxNode("ReduceMean", [input], [output], output);
            mean.SetAttribute(OnnxAttribute.FromInts("axes", [-1]));
            return mean;
        }

        graph.Nodes.AddRange(
        [
            new OnnxNode("Add", ["x", "bias"], ["biased"], "bias_add"), new OnnxNode("Add", ["biased", "skip"], ["sum"], "residual_add"),
            Mean("sum", "mean"), new OnnxNode("Sub", ["sum", "mean"], ["centred"], "sub"), new OnnxNode("Pow", ["centred", "two"], ["squares"], "pow"),
            Mean("squares", "variance"), new OnnxNode("Add", ["variance", "epsilon"], ["variance_e"], "add_e"), new OnnxNode("Sqrt", ["variance_e"], ["std"], "sqrt"),
            new OnnxNode("Div", ["centred", "std"], ["normalized"], "div"), new OnnxNode("Mul", ["normalized", "gamma"], ["scaled"], "mul"),
            new OnnxNode("Add", ["scaled", "beta"], ["y"], "add_beta"),
        ]);
        return Model(graph);
    }

    /// <summary>
    /// Self-attention over projected Q, K, V with their biases and a key padding mask: the primitive ops
    /// of a BERT export (bias Add, Reshape, Transpose, MatMul, scale, mask bias, Softmax, MatMul,
    /// Transpose, Reshape), or com.microsoft MultiHeadAttention.
    /// </summary>
    private static OnnxModel Attention(bool fused)
    {
        const int headSize = Hidden / Heads;
        var graph = new OnnxGraph("attention");
        graph.DeclaredInputs.AddRange([Activation("q"), Activation("k"), Activation("v"),
            new ValueInfo("mask", ValueTypeInfo.Tensor(TensorElementType.Int64, [Dim.Named("batch"), Dim.Named("sequence")]))]);
        graph.Outputs.Add(Activation("y"));
        if (fused)
        {
            graph.Initializers.Add(Vector("qkv_bias", 4, 3 * Hidden));
            var cast = new OnnxNode("Cast", ["mask"], ["mask32"], "cast");
            cast.SetAttribute(OnnxAttribute.FromInt("to", (long)TensorElementType.Int32));
            var attention = new OnnxNode("MultiHeadAttention", ["q", "k", "v", "qkv_bias", "mask32"], ["y"], "mha", "com.microsoft");
            attention.SetAttribute(OnnxAttribute.FromInt("num_heads", Heads));
            graph.Nodes.AddRange([cast, attention]);
            return Model(graph);
        }

        graph.Initializers.AddRange([Vector("bq", 5), Vector("bk", 6), Vector("bv", 7),
            OnnxTensor.FromInt64s("heads_shape", [4], [0, 0, Heads, headSize]), OnnxTensor.FromInt64s("hidden_shape", [3], [0, 0, Hidden]),
            OnnxTensor.FromFloats("sqrt_head", [], [MathF.Sqrt(headSize)]), OnnxTensor.FromFloats("one", [], [1f]), OnnxTensor.FromFloats("lowest", [], [-3.4e38f])]);
        OnnxNode Node(string op, string[] inputs, string output, params (string Name, long[] Values)[] attributes)
        {
            var node = new OnnxNode(op, inputs, [output], output);
            foreach (var (name, values) in attributes)
            {
                node.SetAttribute(name is "to" or "axis" ? OnnxAttribute.FromInt(name, values[0]) : OnnxAttribute.FromInts(name, values));
            }

            return node;
        }

        foreach (var x in new[] { "q", "k", "v" })
        {
            graph.Nodes.Add(Node("Add", [x, "b" + x], x + "_biased"));
            graph.Nodes.Add(Node("Reshape", [x + "_biased", "heads_shape"], x + "_heads"));
            graph.Nodes.Add(Node("Transpose", [x + "_heads"], x + "_t", ("perm", x == "k" ? [0, 2, 3, 1] : [0, 2, 1, 3])));
        }

        graph.Nodes.AddRange(
        [
            Node("MatMul", ["q_t", "k_t"], "scores"), Node("Div", ["scores", "sqrt_head"], "scaled"),
            Node("Unsqueeze", ["mask"], "mask_1", ("axes", [1])), Node("Unsqueeze", ["mask_1"], "mask_2", ("axes", [2])),
            Node("Cast", ["mask_2"], "mask_f", ("to", [(long)TensorElementType.Float])), Node("Sub", ["one", "mask_f"], "padding"),
            Node("Mul", ["padding", "lowest"], "mask_bias"), Node("Add", ["scaled", "mask_bias"], "masked"),
            Node("Softmax", ["masked"], "probabilities", ("axis", [3])), Node("MatMul", ["probabilities", "v_t"], "context"),
            Node("Transpose", ["context"], "context_t", ("perm", [0, 2, 1, 3])), Node("Reshape", ["context_t", "hidden_shape"], "y"),
        ]);
        return Model(graph);
    }

    private static ValueInfo Activation(string name) =>
        new(name, ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Named("sequence"), Dim.Fixed(Hidden)]));

    private static OnnxTensor Vector(string name, int seed, int length = Hidden)
    {
        var random = new Random(seed);
        return OnnxTensor.FromFloats(name, [length], Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f).ToArray());
    }

    private static OnnxModel Model(OnnxGraph graph) => new(graph, [new OpsetImport("", 11), new OpsetImport("com.microsoft", 1)], irVersion: 7);
}

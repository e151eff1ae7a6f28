using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// Programs over several symbolic dimensions: compiled once, then run at shapes the compiler never
/// built (batch 1, odd lengths, sizes smaller and larger than the bindings it traced), each
/// against ONNX Runtime on the same inputs.
/// </summary>
public sealed class SymbolicShapeTests
{
    /// <summary>
    /// Self-attention over x [batch, seq, 16]: the head split and merge read the runtime shape
    /// (Shape → Gather → Unsqueeze → Concat → Reshape), the scores are [batch, 4, seq, seq] (seq²), and
    /// the batched MatMuls run over batch × heads.
    /// </summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 7)]
    [InlineData(3, 5)]
    [InlineData(2, 130)]
    public void Attention_over_batch_and_sequence_matches_onnx_runtime(int batch, int seq)
    {
        var model = Attention();
        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        Assert.Equal(["batch", "seq"], program.Symbols);

        AssertMatchesOnnxRuntime(model, program, [batch, seq, 16]);
    }

    /// <summary>
    /// A strided, padded convolution and a max pool over x [batch, 3, height, width]: the output
    /// sides are floor divisions of the symbolic sides, so odd and even sizes take different
    /// remainders.
    /// </summary>
    [Theory]
    [InlineData(1, 8, 8)]
    [InlineData(2, 17, 23)]
    [InlineData(1, 5, 40)]
    [InlineData(1, 33, 6)]
    public void Strided_convolution_over_image_sides_matches_onnx_runtime(int batch, int height, int width)
    {
        var model = StridedConv();
        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        Assert.Equal(["batch", "height", "width"], program.Symbols);

        AssertMatchesOnnxRuntime(model, program, [batch, 3, height, width]);
    }

    [Fact]
    public void An_input_shape_the_program_does_not_take_is_refused_with_the_symbols()
    {
        using var program = KernelCompiler.Compile(Attention()).Program!;

        var error = Assert.Throws<ArgumentException>(() => ProgramLayout.Bind(program, [[2, 5, 15]]));

        Assert.Contains("[batch, seq, 16]", error.Message);
        Assert.Contains("batch = 2, seq = 5", error.Message);
    }

    private static void AssertMatchesOnnxRuntime(OnnxModel model, KernelProgram program, int[] shape)
    {
        var random = new Random(shape.Sum());
        var x = Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var expected = SharedModels.RunOrt(model, ("x", x, shape.Select(d => (long)d).ToArray()))[0];

        var symbols = ProgramLayout.Bind(program, [shape]);
        var actual = new float[program.Outputs[0].ElementCount(symbols)];
        using var executor = new KernelExecutor(program);
        executor.Run([shape], [x], [actual]);

        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(1e-6f, expected.Max(Math.Abs));
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-3f * scale, $"shape [{string.Join(",", shape)}]: worst difference {worst} against ONNX Runtime (largest output {scale})");
    }

    private static OnnxModel Attention()
    {
        var graph = new OnnxGraph("attention");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Named("seq"), Dim.Fixed(16)));
        graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Named("seq"), Dim.Fixed(16)));
        foreach (var name in new[] { "Wq", "Wk", "Wv" })
        {
            graph.Initializers.Add(OnnxTensor.FromFloats(name, [16, 16], Values(256, name[1])));
        }

        graph.Initializers.Add(OnnxTensor.FromInt64s("i0", [1], [0]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("i1", [1], [1]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("heads", [2], [4, 4]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("width", [1], [16]));
        graph.Initializers.Add(OnnxTensor.FromFloats("scale", [], [0.5f]));
        var nodes = new List<OnnxNode>
        {
            new("Shape", ["x"], ["shape"], "shape"),
            new("Gather", ["shape", "i0"], ["b"], "b"),
            new("Gather", ["shape", "i1"], ["s"], "s"),
            new("Concat", ["b", "s", "heads"], ["split"], "split"),
            new("Concat", ["b", "s", "width"], ["merged"], "merged"),
        };
        foreach (var concat in nodes.Where(n => n.OpType == "Concat"))
        {
            concat.SetAttribute(OnnxAttribute.FromInt("axis", 0));
        }

        foreach (var (name, weight) in new[] { ("q", "Wq"), ("k", "Wk"), ("v", "Wv") })
        {
            nodes.Add(new OnnxNode("MatMul", ["x", weight], [name + "_flat"], name + "_proj"));
            nodes.Add(new OnnxNode("Reshape", [name + "_flat", "split"], [name + "_heads"], name + "_split"));
            var transpose = new OnnxNode("Transpose", [name + "_heads"], [name], name + "_t");
            transpose.SetAttribute(OnnxAttribute.FromInts("perm", name == "k" ? [0, 2, 3, 1] : [0, 2, 1, 3]));
            nodes.Add(transpose);
        }

        nodes.Add(new OnnxNode("MatMul", ["q", "k"], ["scores_raw"], "scores"));
        nodes.Add(new OnnxNode("Mul", ["scores_raw", "scale"], ["scores"], "scaled"));
        var softmax = new OnnxNode("Softmax", ["scores"], ["probs"], "softmax");
        softmax.SetAttribute(OnnxAttribute.FromInt("axis", -1));
        nodes.Add(softmax);
        nodes.Add(new OnnxNode("MatMul", ["probs", "v"], ["context"], "context"));
        var back = new OnnxNode("Transpose", ["context"], ["context_t"], "context_t");
        back.SetAttribute(OnnxAttribute.FromInts("perm", [0, 2, 1, 3]));
        nodes.Add(back);
        nodes.Add(new OnnxNode("Reshape", ["context_t", "merged"], ["y"], "merge"));
        foreach (var node in nodes)
        {
            graph.Nodes.Add(node);
        }

        return new OnnxModel(graph, [new OpsetImport("", 13)]) { IrVersion = 8 };
    }

    private static OnnxModel StridedConv()
    {
        var graph = new OnnxGraph("strided");
        graph.DeclaredInputs.Add(Tensor("x", Dim.Named("batch"), Dim.Fixed(3), Dim.Named("height"), Dim.Named("width")));
        graph.Outputs.Add(Tensor("y", Dim.Named("batch"), Dim.Fixed(8), Dim.Named("out_h"), Dim.Named("out_w")));
        graph.Initializers.Add(OnnxTensor.FromFloats("W", [8, 3, 3, 3], Values(8 * 27, 7)));
        graph.Initializers.Add(OnnxTensor.FromFloats("B", [8], Values(8, 8)));
        var conv = new OnnxNode("Conv", ["x", "W", "B"], ["c"], "conv");
        conv.SetAttribute(OnnxAttribute.FromInts("pads", [1, 1, 1, 1]));
        conv.SetAttribute(OnnxAttribute.FromInts("strides", [2, 2]));
        var pool = new OnnxNode("MaxPool", ["r"], ["y"], "pool");
        pool.SetAttribute(OnnxAttribute.FromInts("kernel_shape", [2, 2]));
        pool.SetAttribute(OnnxAttribute.FromInts("strides", [2, 2]));
        graph.Nodes.Add(conv);
        graph.Nodes.Add(new OnnxNode("Relu", ["c"], ["r"], "relu"));
        graph.Nodes.Add(pool);
        return new OnnxModel(graph, [new OpsetImport("", 13)]) { IrVersion = 8 };
    }

    private static ValueInfo Tensor(string name, params Dim[] dims) => new(name, ValueTypeInfo.Tensor(TensorElementType.Float, dims));

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * 0.5f).ToArray();
    }
}

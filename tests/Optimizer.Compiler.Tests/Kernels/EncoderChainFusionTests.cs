using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>
/// The encoder chains the compiler does in one step (bias and scale in the GEMM epilogue, PyTorch's
/// exact-GELU chain, in the GEMM's epilogue, the pre-opset-17 LayerNorm chain), built as a BERT export writes them (opset 11,
/// scalars from Constant nodes placed just before their reader) at edge sizes: rows 1, 7, 17, 33,
/// hidden and FFN widths not multiples of the 16-column panel. Compiled against ONNX Runtime, rtol 1e-3,
/// and the program must really be fused (no Binary step left but the residual Add).
/// </summary>
public sealed class EncoderChainFusionTests
{
    [Theory]
    [InlineData(1, 16, 33)]
    [InlineData(7, 17, 48)]
    [InlineData(17, 33, 16)]
    [InlineData(33, 16, 17)]
    public void Ffn_with_gelu_chain_residual_and_layernorm_chain_matches_onnx_runtime_in_fused_steps(int rows, int hidden, int ffn)
    {
        var model = FeedForwardBlock(rows, hidden, ffn, exposeGeluInput: false);
        using var program = OrtComparison.AssertSameAsOrt(model, [OnnxTensor.FromFloats("x", [1, rows, hidden], SmallModels.Values(rows * hidden, seed: 5))]);

        var kinds = program.Steps.Select(s => s.Kind).ToList();
        Assert.Equal(2, kinds.Count(k => k == StepKind.Gemm));
        Assert.DoesNotContain(StepKind.Activation, kinds); // the GELU runs in the first GEMM's epilogue
        Assert.Equal((long)Runtime.Compiled.Kernels.EpilogueActivation.Gelu, program.Steps.First(s => s.Kind == StepKind.Gemm).Ints[7].Constant);
        Assert.Equal(1, kinds.Count(k => k == StepKind.LayerNorm));
        Assert.Equal(1, kinds.Count(k => k == StepKind.Binary)); // the residual Add
        Assert.DoesNotContain(StepKind.Reduce, kinds);
    }

    [Fact]
    public void A_chain_value_that_is_a_graph_output_keeps_the_nodes_apart()
    {
        var model = FeedForwardBlock(5, 16, 24, exposeGeluInput: true);
        using var program = OrtComparison.AssertSameAsOrt(model, [OnnxTensor.FromFloats("x", [1, 5, 16], SmallModels.Values(5 * 16, seed: 6))]);

        // The biased projection is read by the GELU chain and is an output: the bias stays in the
        // epilogue (its Add output is the value), the chain runs node by node.
        Assert.Contains(program.Steps, s => s.Kind == StepKind.Activation);
        Assert.True(program.Steps.Count(s => s.Kind == StepKind.Binary) >= 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    public void Attention_scores_scaled_by_a_constant_divisor_run_in_the_gemm_epilogue(int tokens)
    {
        const int heads = 3, depth = 8;
        var graph = new OnnxGraph("scores");
        graph.DeclaredInputs.Add(SmallModels.Tensor("q", Dim.Fixed(1), Dim.Fixed(heads), Dim.Fixed(tokens), Dim.Fixed(depth)));
        graph.DeclaredInputs.Add(SmallModels.Tensor("kt", Dim.Fixed(1), Dim.Fixed(heads), Dim.Fixed(depth), Dim.Fixed(tokens)));
        AddConstant(graph, "root", MathF.Sqrt(depth));
        graph.Nodes.Add(new OnnxNode("MatMul", ["q", "kt"], ["raw"], "qk"));
        graph.Nodes.Add(new OnnxNode("Div", ["raw", "root"], ["scaled"], "scale"));
        graph.Nodes.Add(new OnnxNode("Softmax", ["scaled"], ["p"], "softmax") { Attributes = { OnnxAttribute.FromInt("axis", -1) } });
        graph.Outputs.Add(SmallModels.Tensor("p", Dim.Fixed(1), Dim.Fixed(heads), Dim.Fixed(tokens), Dim.Fixed(tokens)));
        var model = new OnnxModel(graph, [new OpsetImport("", 11)]) { IrVersion = 6 };

        using var program = OrtComparison.AssertSameAsOrt(model,
        [
            OnnxTensor.FromFloats("q", [1, heads, tokens, depth], SmallModels.Values(heads * tokens * depth, seed: 7)),
            OnnxTensor.FromFloats("kt", [1, heads, depth, tokens], SmallModels.Values(heads * tokens * depth, seed: 8)),
        ]);
        Assert.DoesNotContain(program.Steps, s => s.Kind == StepKind.Binary);
    }

    /// <summary>
    /// x → MatMul → + b1 → GELU chain → MatMul → + b2 → + x → LayerNorm chain (· γ + β), as
    /// PyTorch exports a BERT FFN block at opset 11.
    /// </summary>
    private static OnnxModel FeedForwardBlock(int rows, int hidden, int ffn, bool exposeGeluInput)
    {
        var graph = new OnnxGraph("ffn");
        graph.DeclaredInputs.Add(SmallModels.Tensor("x", Dim.Fixed(1), Dim.Fixed(rows), Dim.Fixed(hidden)));
        graph.Initializers.Add(OnnxTensor.FromFloats("w1", [hidden, ffn], SmallModels.Values(hidden * ffn, seed: 1)));
        graph.Initializers.Add(OnnxTensor.FromFloats("b1", [ffn], SmallModels.Values(ffn, seed: 2)));
        graph.Initializers.Add(OnnxTensor.FromFloats("w2", [ffn, hidden], SmallModels.Values(hidden * ffn, seed: 3)));
        graph.Initializers.Add(OnnxTensor.FromFloats("b2", [hidden], SmallModels.Values(hidden, seed: 4)));
        graph.Initializers.Add(OnnxTensor.FromFloats("gamma", [hidden], Enumerable.Range(0, hidden).Select(i => 0.5f + i * 0.03f).ToArray()));
        graph.Initializers.Add(OnnxTensor.FromFloats("beta", [hidden], Enumerable.Range(0, hidden).Select(i => i * 0.01f - 0.1f).ToArray()));
        graph.Nodes.Add(new OnnxNode("MatMul", ["x", "w1"], ["up"], "up"));
        graph.Nodes.Add(new OnnxNode("Add", ["b1", "up"], ["h"], "bias1"));
        AddConstant(graph, "sqrt2", MathF.Sqrt(2f));
        graph.Nodes.Add(new OnnxNode("Div", ["h", "sqrt2"], ["hs"], "gelu_div"));
        graph.Nodes.Add(new OnnxNode("Erf", ["hs"], ["e"], "gelu_erf"));
        AddConstant(graph, "one", 1f);
        graph.Nodes.Add(new OnnxNode("Add", ["e", "one"], ["e1"], "gelu_add"));
        graph.Nodes.Add(new OnnxNode("Mul", ["h", "e1"], ["he"], "gelu_mul"));
        AddConstant(graph, "half", 0.5f);
        graph.Nodes.Add(new OnnxNode("Mul", ["he", "half"], ["g"], "gelu_half"));
        graph.Nodes.Add(new OnnxNode("MatMul", ["g", "w2"], ["down"], "down"));
        graph.Nodes.Add(new OnnxNode("Add", ["down", "b2"], ["d"], "bias2"));
        graph.Nodes.Add(new OnnxNode("Add", ["d", "x"], ["r"], "residual"));
        graph.Nodes.Add(new OnnxNode("ReduceMean", ["r"], ["mean"], "ln_mean") { Attributes = { OnnxAttribute.FromInts("axes", [-1]) } });
        graph.Nodes.Add(new OnnxNode("Sub", ["r", "mean"], ["c"], "ln_sub"));
        AddConstant(graph, "two", 2f);
        graph.Nodes.Add(new OnnxNode("Pow", ["c", "two"], ["c2"], "ln_pow"));
        graph.Nodes.Add(new OnnxNode("ReduceMean", ["c2"], ["var"], "ln_var") { Attributes = { OnnxAttribute.FromInts("axes", [-1]) } });
        AddConstant(graph, "eps", 1e-12f);
        graph.Nodes.Add(new OnnxNode("Add", ["var", "eps"], ["ve"], "ln_eps"));
        graph.Nodes.Add(new OnnxNode("Sqrt", ["ve"], ["sd"], "ln_sqrt"));
        graph.Nodes.Add(new OnnxNode("Div", ["c", "sd"], ["n"], "ln_div"));
        graph.Nodes.Add(new OnnxNode("Mul", ["n", "gamma"], ["ng"], "ln_gamma"));
        graph.Nodes.Add(new OnnxNode("Add", ["ng", "beta"], ["y"], "ln_beta"));
        graph.Outputs.Add(SmallModels.Tensor("y", Dim.Fixed(1), Dim.Fixed(rows), Dim.Fixed(hidden)));
        if (exposeGeluInput)
        {
            graph.Outputs.Add(SmallModels.Tensor("h", Dim.Fixed(1), Dim.Fixed(rows), Dim.Fixed(ffn)));
        }

        return new OnnxModel(graph, [new OpsetImport("", 11)]) { IrVersion = 6 };
    }

    private static void AddConstant(OnnxGraph graph, string name, float value) =>
        graph.Nodes.Add(new OnnxNode("Constant", [], [name], name) { Attributes = { OnnxAttribute.FromTensor("value", OnnxTensor.FromFloats(name, [], [value])) } });
}

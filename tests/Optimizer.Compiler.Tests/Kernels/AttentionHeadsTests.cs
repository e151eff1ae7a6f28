using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>
/// Multi-head attention as a BERT export spells it (Reshape to [b, s, heads, d], Transpose to heads
/// for Q, Kᵀ and V, scores scaled, Softmax, context Transpose back and Reshape) compiles to two
/// GemmHeads steps that read the heads in place: no Transpose and no PackB step left. Edge sizes: 1,
/// 7, 16, 17, 33 tokens, 1 and 12 heads, head widths not multiples of the 16-column panel, batch 2,
/// a symbolic sequence length; the padding mask (per batch item or shared) added in the scores'
/// epilogue and the softmax run on each head's scores after its product. Against ONNX Runtime, rtol 1e-3.
/// </summary>
public sealed class AttentionHeadsTests
{
    [Theory]
    [InlineData(1, 1, 1, 8)]
    [InlineData(1, 7, 12, 4)]
    [InlineData(2, 16, 3, 5)]
    [InlineData(1, 17, 12, 32)]
    [InlineData(2, 33, 2, 17)]
    public void Attention_heads_are_read_and_written_in_place_and_match_onnx_runtime(int batch, int tokens, int heads, int depth)
    {
        var model = AttentionBlock(batch, Dim.Fixed(tokens), heads, depth);
        using var program = OrtComparison.AssertSameAsOrt(model, Inputs(batch, tokens, heads * depth));

        var kinds = program.Steps.Select(s => s.Kind).ToList();
        Assert.Equal(2, kinds.Count(k => k == StepKind.GemmHeads));
        Assert.DoesNotContain(StepKind.Transpose, kinds);
        Assert.DoesNotContain(StepKind.PackB, kinds);
        Assert.DoesNotContain(StepKind.Softmax, kinds); // run on each head's scores by the first GemmHeads
    }

    [Theory]
    [InlineData(1, 7, 12, 4, 1)]
    [InlineData(2, 17, 3, 5, 2)]
    [InlineData(2, 33, 2, 16, 1)]
    public void The_padding_mask_is_added_in_the_scores_epilogue(int batch, int tokens, int heads, int depth, int maskBatch)
    {
        var model = AttentionBlock(batch, Dim.Fixed(tokens), heads, depth, maskBatch);
        var mask = Enumerable.Range(0, maskBatch * tokens).Select(i => i % tokens >= tokens - 1 - i / tokens ? -10000f : 0f).ToArray();
        using var program = OrtComparison.AssertSameAsOrt(model, [.. Inputs(batch, tokens, heads * depth), OnnxTensor.FromFloats("mask", [maskBatch, 1, 1, tokens], mask)]);

        var kinds = program.Steps.Select(s => s.Kind).ToList();
        Assert.Equal(2, kinds.Count(k => k == StepKind.GemmHeads));
        Assert.DoesNotContain(StepKind.Binary, kinds);
        Assert.DoesNotContain(StepKind.Transpose, kinds);
        Assert.DoesNotContain(StepKind.Softmax, kinds);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    public void A_symbolic_sequence_length_strides_the_heads_at_run_time(int tokens)
    {
        const int heads = 4, depth = 6;
        var model = AttentionBlock(1, Dim.Named("sequence_length"), heads, depth);
        using var program = OrtComparison.AssertSameAsOrt(model, Inputs(1, tokens, heads * depth));
        Assert.Equal(2, program.Steps.Count(s => s.Kind == StepKind.GemmHeads));
    }

    [Fact]
    public void A_head_split_multiplied_by_a_shared_weight_is_transposed_as_before()
    {
        const int tokens = 5, heads = 2, depth = 3;
        var graph = new OnnxGraph("split-weight");
        graph.DeclaredInputs.Add(SmallModels.Tensor("x", Dim.Fixed(1), Dim.Fixed(tokens), Dim.Fixed(heads * depth)));
        graph.Initializers.Add(OnnxTensor.FromInt64s("split", [4], [1, tokens, heads, depth]));
        graph.Initializers.Add(OnnxTensor.FromFloats("w", [depth, 7], SmallModels.Values(depth * 7, seed: 4)));
        graph.Nodes.Add(new OnnxNode("Reshape", ["x", "split"], ["xs"], "reshape"));
        graph.Nodes.Add(new OnnxNode("Transpose", ["xs"], ["xh"], "heads") { Attributes = { OnnxAttribute.FromInts("perm", [0, 2, 1, 3]) } });
        graph.Nodes.Add(new OnnxNode("MatMul", ["xh", "w"], ["y"], "project"));
        graph.Outputs.Add(SmallModels.Tensor("y", Dim.Fixed(1), Dim.Fixed(heads), Dim.Fixed(tokens), Dim.Fixed(7)));
        var model = new OnnxModel(graph, [new OpsetImport("", 11)]) { IrVersion = 6 };

        using var program = OrtComparison.AssertSameAsOrt(model, [OnnxTensor.FromFloats("x", [1, tokens, heads * depth], SmallModels.Values(tokens * heads * depth, seed: 5))]);
        Assert.Contains(program.Steps, s => s.Kind == StepKind.Transpose);
        Assert.DoesNotContain(program.Steps, s => s.Kind == StepKind.GemmHeads);
    }

    private static OnnxTensor[] Inputs(int batch, int tokens, int width) =>
    [
        OnnxTensor.FromFloats("q", [batch, tokens, width], SmallModels.Values(batch * tokens * width, seed: 1)),
        OnnxTensor.FromFloats("k", [batch, tokens, width], SmallModels.Values(batch * tokens * width, seed: 2)),
        OnnxTensor.FromFloats("v", [batch, tokens, width], SmallModels.Values(batch * tokens * width, seed: 3)),
    ];

    /// <summary>softmax(Q·Kᵀ / √d [+ mask])·V per head, the heads split and merged as PyTorch exports BERT (opset 11).</summary>
    private static OnnxModel AttentionBlock(int batch, Dim tokens, int heads, int depth, int maskBatch = 0)
    {
        var graph = new OnnxGraph("attention");
        var width = heads * depth;
        foreach (var name in new[] { "q", "k", "v" })
        {
            graph.DeclaredInputs.Add(SmallModels.Tensor(name, Dim.Fixed(batch), tokens, Dim.Fixed(width)));
        }

        graph.Initializers.Add(OnnxTensor.FromInt64s("split", [4], [batch, -1, heads, depth]));
        graph.Initializers.Add(OnnxTensor.FromInt64s("merge", [3], [batch, -1, width]));
        graph.Initializers.Add(OnnxTensor.FromFloats("root", [], [MathF.Sqrt(depth)]));
        graph.Nodes.Add(new OnnxNode("Reshape", ["q", "split"], ["qs"], "q_split"));
        graph.Nodes.Add(new OnnxNode("Transpose", ["qs"], ["qh"], "q_heads") { Attributes = { OnnxAttribute.FromInts("perm", [0, 2, 1, 3]) } });
        graph.Nodes.Add(new OnnxNode("Reshape", ["k", "split"], ["ks"], "k_split"));
        graph.Nodes.Add(new OnnxNode("Transpose", ["ks"], ["kt"], "k_heads") { Attributes = { OnnxAttribute.FromInts("perm", [0, 2, 3, 1]) } });
        graph.Nodes.Add(new OnnxNode("Reshape", ["v", "split"], ["vs"], "v_split"));
        graph.Nodes.Add(new OnnxNode("Transpose", ["vs"], ["vh"], "v_heads") { Attributes = { OnnxAttribute.FromInts("perm", [0, 2, 1, 3]) } });
        graph.Nodes.Add(new OnnxNode("MatMul", ["qh", "kt"], ["raw"], "scores"));
        graph.Nodes.Add(new OnnxNode("Div", ["raw", "root"], [maskBatch > 0 ? "unmasked" : "scaled"], "scale"));
        if (maskBatch > 0)
        {
            graph.DeclaredInputs.Add(SmallModels.Tensor("mask", Dim.Fixed(maskBatch), Dim.Fixed(1), Dim.Fixed(1), tokens));
            graph.Nodes.Add(new OnnxNode("Add", ["unmasked", "mask"], ["scaled"], "mask"));
        }

        graph.Nodes.Add(new OnnxNode("Softmax", ["scaled"], ["p"], "softmax") { Attributes = { OnnxAttribute.FromInt("axis", -1) } });
        graph.Nodes.Add(new OnnxNode("MatMul", ["p", "vh"], ["context"], "context"));
        graph.Nodes.Add(new OnnxNode("Transpose", ["context"], ["merged"], "merge") { Attributes = { OnnxAttribute.FromInts("perm", [0, 2, 1, 3]) } });
        graph.Nodes.Add(new OnnxNode("Reshape", ["merged", "merge"], ["y"], "merge_reshape"));
        graph.Outputs.Add(SmallModels.Tensor("y", Dim.Fixed(batch), tokens, Dim.Fixed(width)));
        return new OnnxModel(graph, [new OpsetImport("", 11)]) { IrVersion = 6 };
    }
}

using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

// Multi-head attention as BERT exports it splits each [b, s, heads·d] projection into heads with
// Reshape [b, s, heads, d] + Transpose (to [b, heads, s, d] for Q and V, [b, heads, d, s] for Kᵀ),
// multiplies per head, and merges the context back with Transpose [0, 2, 1, 3] + Reshape. The
// Transposes copy every activation twice; here they are not emitted: the head MatMuls read and
// write each head's column block in place (one GemmHeads step per MatMul).
internal static partial class NodeEmitter
{
    /// <summary>A head-split Transpose left unemitted: its input <c>[b, s, heads, d]</c> and whether it makes Kᵀ (perm 0,2,3,1).</summary>
    private sealed record HeadSplit(Val Source, bool Transposed);

    /// <summary>One operand of a head MatMul: where (batch, head) starts and how its rows are laid out.</summary>
    private sealed record HeadOperand(RawOperand Data, Dim BatchStride, Dim HeadStride, Dim RowStride, bool Transposed);

    private static readonly long[] SplitPerm = [0, 2, 1, 3];
    private static readonly long[] SplitTransposedPerm = [0, 2, 3, 1];

    /// <summary>
    /// Whether a Transpose is a head split its only reader, a MatMul, reads in place: then it emits
    /// nothing. Decided from the graph and the input alone, so the MatMul reaches the same answer.
    /// </summary>
    private static bool IsHeadSplitReadInPlace(BuildContext ctx, OnnxNode transpose)
    {
        if (transpose.OpType != "Transpose" || !transpose.IsDefaultDomain || !ctx.Has(transpose.Inputs[0])
            || ctx.Get(transpose.Inputs[0]) is not { Type: TensorElementType.Float, Const: null, Shape.Length: 4 }
            || transpose.Ints("perm") is not { } perm || SoleConsumer(ctx, transpose.Outputs[0]) is not { OpType: "MatMul" } matMul
            || matMul.Inputs.Count != 2 || matMul.Inputs[0] == matMul.Inputs[1])
        {
            return false;
        }

        // Kᵀ can only be B; a [b, heads, s, d] split is A (Q, or the scores of P·V) or B (V).
        return perm.SequenceEqual(SplitPerm) || perm.SequenceEqual(SplitTransposedPerm) && matMul.Inputs[1] == transpose.Outputs[0];
    }

    /// <summary>The head split a MatMul input was left as, or null when it is an ordinary value.</summary>
    private static HeadSplit? PendingHeadSplit(BuildContext ctx, string input)
    {
        if (ctx.Has(input) || ctx.Graph?.FindProducer(input) is not { } producer || !IsHeadSplitReadInPlace(ctx, producer))
        {
            return null;
        }

        return new HeadSplit(ctx.Get(producer.Inputs[0]), producer.Ints("perm")!.SequenceEqual(SplitTransposedPerm));
    }

    /// <summary>
    /// A MatMul with a head-split operand: one GemmHeads step when both operands are
    /// <c>[b, heads, ·, ·]</c> with the same batch and heads, else the split Transposes emitted
    /// after all (so the ordinary MatMul reads them); returns false then.
    /// </summary>
    private static bool TryEmitHeadMatMul(BuildContext ctx, OnnxNode node)
    {
        var splitA = PendingHeadSplit(ctx, node.Inputs[0]);
        var splitB = PendingHeadSplit(ctx, node.Inputs[1]);
        if (splitA is null && splitB is null)
        {
            return false;
        }

        var aShape = splitA is null ? Float(ctx, node.Inputs[0]).Shape : SplitShape(splitA);
        var bShape = splitB is null ? Float(ctx, node.Inputs[1]).Shape : SplitShape(splitB);
        if (aShape.Length != 4 || bShape.Length != 4 || !aShape[..2].SequenceEqual(bShape[..2]) || aShape[3] != bShape[2])
        {
            MaterializeHeadSplit(ctx, node.Inputs[0], splitA);
            MaterializeHeadSplit(ctx, node.Inputs[1], splitB);
            return false;
        }

        var (batch, heads, m, k, n) = (aShape[0], aShape[1], aShape[2], aShape[3], bShape[3]);
        var a = splitA is null ? Contiguous(ctx, Float(ctx, node.Inputs[0])) : InPlace(ctx, splitA);
        var b = splitB is null ? Contiguous(ctx, Float(ctx, node.Inputs[1])) : InPlace(ctx, splitB);
        var epilogue = MatMulEpilogueOf(ctx, node, n);
        Dim biasBatchStride = 0;
        if (epilogue is { Bias.Storage: null, Gelu: false } && KeyMaskAdd(ctx, epilogue.Output, batch, n) is var (add, mask, maskBatchStride))
        {
            // The padding mask added to the scores is a bias per key column: added in the epilogue.
            ctx.Absorbed.Add(add);
            epilogue = epilogue with { Bias = ctx.Op(mask), Output = add.Outputs[0] };
            biasBatchStride = maskBatchStride;
        }

        // The scores' softmax runs on each head's rows just after its product, while they are in cache.
        var softmax = epilogue.Gelu ? null : RowSoftmax(ctx, epilogue.Output);
        if (softmax is not null)
        {
            ctx.Absorbed.Add(softmax);
            epilogue = epilogue with { Output = softmax.Outputs[0] };
        }

        // The context's head merge (Transpose 0,2,1,3 to [b, s, heads, d]) is where C is written.
        var merge = epilogue.Gelu || softmax is not null ? null : SoleConsumer(ctx, epilogue.Output) is { OpType: "Transpose" } t && t.Ints("perm") is { } perm && perm.SequenceEqual(SplitPerm) ? t : null;
        Val y;
        HeadOperand c;
        if (merge is not null)
        {
            ctx.Absorbed.Add(merge);
            y = Out(ctx, merge.Outputs[0], [batch, m, heads, n]);
            c = new HeadOperand(ctx.Op(y), m * heads * n, n, heads * n, false);
        }
        else
        {
            y = Out(ctx, epilogue.Output, [batch, heads, m, n]);
            c = Contiguous(ctx, y);
        }

        Dim[] sizes = [batch, heads, m, n, k, a.BatchStride, a.HeadStride, a.RowStride, b.BatchStride, b.HeadStride, b.RowStride, b.Transposed ? 1 : 0,
            c.BatchStride, c.HeadStride, c.RowStride, biasBatchStride, softmax is null ? 0 : 1];
        ctx.Emit(StepKind.GemmHeads, [a.Data, b.Data, epilogue.Bias, ctx.Scratch(KernelSizes.PackedBLength(k, n)), c.Data], sizes, [epilogue.Alpha]);
        if (epilogue.Gelu)
        {
            ctx.Emit(StepKind.Activation, [ctx.Op(y), ctx.Op(y)], [(long)Kernels.ActivationOp.Gelu, y.Count], [0f, 0f]);
        }

        return true;
    }

    /// <summary>
    /// The Add of a mask over the <paramref name="n"/> key columns to <paramref name="scores"/>
    /// (<c>[batch or 1, 1, 1, n]</c> or any shape of ones then n, as BERT's extended attention mask):
    /// the node, the mask and its floats between batch items.
    /// </summary>
    private static (OnnxNode Add, Val Mask, Dim BatchStride)? KeyMaskAdd(BuildContext ctx, string scores, Dim batch, Dim n)
    {
        if (SoleConsumer(ctx, scores) is not { OpType: "Add" } add || OtherInput(add, scores) is not { } other || !ctx.Has(other)
            || ctx.Get(other) is not { Type: TensorElementType.Float } mask || mask.Shape.Length is 0 or > 4 || mask.Shape[^1] != n)
        {
            return null;
        }

        var perBatch = mask.Shape.Length == 4 && mask.Shape[0] == batch && mask.Shape[0] != 1;
        var ones = mask.Shape[(perBatch ? 1 : 0)..^1];
        return ones.All(d => d == 1) ? (add, mask, perBatch ? n : 0) : null;
    }

    /// <summary>The Softmax over the last axis that is the only reader of <paramref name="scores"/> (<c>[b, heads, m, n]</c>), or null.</summary>
    private static OnnxNode? RowSoftmax(BuildContext ctx, string scores) =>
        SoleConsumer(ctx, scores) is { OpType: "Softmax" } softmax
        && Attrs.NormalizeAxis(softmax.Int("axis", ctx.Opset >= 13 ? -1 : 1), 4) == 3 ? softmax : null;

    /// <summary>The shape the unemitted Transpose would have produced.</summary>
    private static Dim[] SplitShape(HeadSplit split)
    {
        var (b, s, h, d) = (split.Source.Shape[0], split.Source.Shape[1], split.Source.Shape[2], split.Source.Shape[3]);
        return split.Transposed ? [b, h, d, s] : [b, h, s, d];
    }

    /// <summary>A head of <c>[b, s, heads, d]</c>: rows of <c>heads·d</c> floats, the head's block <c>d</c> floats in (Kᵀ: its rows are the columns of B).</summary>
    private static HeadOperand InPlace(BuildContext ctx, HeadSplit split)
    {
        var (s, h, d) = (split.Source.Shape[1], split.Source.Shape[2], split.Source.Shape[3]);
        return new HeadOperand(ctx.Op(split.Source), s * h * d, d, h * d, split.Transposed);
    }

    /// <summary>An ordinary <c>[b, heads, rows, cols]</c> value.</summary>
    private static HeadOperand Contiguous(BuildContext ctx, Val v)
    {
        var (heads, rows, cols) = (v.Shape[1], v.Shape[2], v.Shape[3]);
        return new HeadOperand(ctx.Op(v), heads * rows * cols, rows * cols, cols, false);
    }

    /// <summary>Emits a head split that cannot be read in place, under its own name.</summary>
    private static void MaterializeHeadSplit(BuildContext ctx, string name, HeadSplit? split)
    {
        if (split is null)
        {
            return;
        }

        var perm = Array.ConvertAll(split.Transposed ? SplitTransposedPerm : SplitPerm, p => (int)p);
        var y = Out(ctx, name, SplitShape(split));
        EmitTransposeInto(ctx, ctx.Op(split.Source), split.Source.Shape, perm, ctx.Op(y));
    }
}

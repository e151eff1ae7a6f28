using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

// The general cases of Reduce and MatMul, built from the existing kernels: reduced axes that are
// not one contiguous run are transposed to the end first; MatMul batch dims that broadcast
// partially are materialized to the full batch.
internal static partial class NodeEmitter
{
    /// <summary>A reduction over <paramref name="axes"/> (sorted) that are not contiguous: transpose them last, then reduce.</summary>
    private static void EmitReduceTransposed(BuildContext ctx, Val x, int[] axes, int op, Val y)
    {
        var kept = Enumerable.Range(0, x.Shape.Length).Where(i => !axes.Contains(i)).ToArray();
        var scratch = TransposeToScratch(ctx, x, [.. kept, .. axes]);
        var outer = kept.Aggregate((Dim)1, (p, i) => p * x.Shape[i]);
        var length = axes.Aggregate((Dim)1, (p, i) => p * x.Shape[i]);
        ctx.Emit(StepKind.Reduce, [scratch, ctx.Op(y)], [op, outer, length, 1], []);
    }

    /// <summary>Batched MatMul whose batch dims broadcast partially: each operand expanded to the full batch, then one GEMM per item (with the MatMul's epilogue).</summary>
    private static void EmitBroadcastMatMul(BuildContext ctx, Val a, Val b, Dim[] aShape, Dim[] bShape, Dim[] outBatch, Val y, MatMulEpilogue epilogue)
    {
        var (m, k, n) = (aShape[^2], aShape[^1], bShape[^1]);
        var batch = outBatch.Product();
        var fullA = ExpandToScratch(ctx, a, aShape, [.. outBatch, m, k]);
        var fullB = ExpandToScratch(ctx, b, bShape, [.. outBatch, k, n]);
        var packed = ctx.Scratch(KernelSizes.PackedBLength(k, n) * batch);
        ctx.Emit(StepKind.PackB, [fullB, packed], [batch, k, n, 0, k * n], []);
        ctx.Emit(StepKind.Gemm, [fullA, packed, epilogue.Bias, ctx.Op(y)], [batch, m, n, k, m * k, KernelSizes.PackedBLength(k, n), m * n, 0], [epilogue.Alpha, 0f, 0f]);
    }

    /// <summary>x (viewed as <paramref name="shape"/>) broadcast to <paramref name="target"/> in scratch.</summary>
    private static RawOperand ExpandToScratch(BuildContext ctx, Val x, Dim[] shape, Dim[] target)
    {
        var scratch = ctx.Scratch(target.Product());
        var (dims, strides) = ShapeOps.Coalesce(target, ShapeOps.BroadcastStrides(shape, target), OpShapes.Strides(target));
        ctx.Emit(StepKind.CopyStrided, [Bytes(ctx, x), scratch with { Length = scratch.Length * 4 }], [4, 0, dims.Length, .. Pad6(dims), .. Pad6(strides[0])], []);
        return scratch;
    }
}

using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class NodeEmitter
{
    private static void EmitGemm(BuildContext ctx, OnnxNode node)
    {
        var a = Float(ctx, node.Inputs[0]);
        var b = Float(ctx, node.Inputs[1]);
        var c = ctx.Optional(node, 2);
        var alpha = node.Float("alpha", 1f);
        var beta = node.Float("beta", 1f);
        var transA = node.Int("transA", 0) != 0;
        var transB = node.Int("transB", 0) != 0;
        if (a.Shape.Length != 2 || b.Shape.Length != 2)
        {
            throw new UnsupportedException("Gemm operands must be 2-D");
        }

        var (m, k) = transA ? (a.Shape[1], a.Shape[0]) : (a.Shape[0], a.Shape[1]);
        var n = transB ? b.Shape[0] : b.Shape[1];
        var aOp = transA ? TransposeToScratch(ctx, a, [1, 0]) : ctx.Op(a);

        RawOperand bias = BuildContext.Empty;
        var addC = false;
        if (c is not null)
        {
            if (c.Type != TensorElementType.Float)
            {
                throw new UnsupportedException("Gemm C must be float32");
            }

            var perColumn = c.Count == 1 || c.Count == n && (c.Shape.Length == 1 || c.Shape[0] == 1);
            if (c.IsConst && perColumn && beta != 0)
            {
                var values = c.Const!.AsFloats();
                bias = ctx.WeightOp($"gemm-bias:{node.Outputs[0]}", () => Enumerable.Range(0, (int)n.Constant("Gemm's bias length")).Select(j => beta * values[values.Length == 1 ? 0 : j]).ToArray());
            }
            else if (beta != 0)
            {
                if (beta != 1f)
                {
                    throw new UnsupportedException("Gemm with a non-constant C and beta ≠ 1");
                }

                addC = true;
            }
        }

        var (act, lo, hi, outputName) = addC ? (0, 0f, 0f, node.Outputs[0]) : FusedActivation(ctx, node);
        var y = Out(ctx, outputName, [m, n]);
        var packed = PackedB(ctx, b, 1, k, n, transB, node.Inputs[1]);
        ctx.Emit(StepKind.Gemm, [aOp, packed, bias, ctx.Op(y)], [1, m, n, k, 0, 0, 0, act], [alpha, lo, hi]);
        if (addC)
        {
            EmitBroadcastBinary(ctx, 0, y, c!, y);
        }
    }

    private static void EmitMatMul(BuildContext ctx, OnnxNode node)
    {
        var a = Float(ctx, node.Inputs[0]);
        var b = Float(ctx, node.Inputs[1]);
        var aShape = a.Shape.Length == 1 ? new Dim[] { 1, a.Shape[0] } : a.Shape;
        var bShape = b.Shape.Length == 1 ? new Dim[] { b.Shape[0], 1 } : b.Shape;
        var m = aShape[^2];
        var k = aShape[^1];
        var n = bShape[^1];
        if (bShape[^2] != k)
        {
            throw new UnsupportedException("MatMul inner dimensions differ");
        }

        var aBatch = aShape[..^2];
        var bBatch = bShape[..^2];
        var outBatch = ShapeOps.Broadcast(aBatch, bBatch);
        var outShape = outBatch.Concat(new[] { m, n }).ToList();
        if (a.Shape.Length == 1)
        {
            outShape.RemoveAt(outShape.Count - 2);
        }

        if (b.Shape.Length == 1)
        {
            outShape.RemoveAt(outShape.Count - 1);
        }

        var batch = outBatch.Product();
        var aShared = aBatch.Product() == 1;
        var bShared = bBatch.Product() == 1;
        var broadcast = !bShared && (!aShared && !aBatch.SequenceEqual(outBatch.Skip(outBatch.Length - aBatch.Length)) || !bBatch.SequenceEqual(outBatch.Skip(outBatch.Length - bBatch.Length))
            || bBatch.Product() != batch || !aShared && aBatch.Product() != batch);
        var epilogue = a.Shape.Length == 1 || b.Shape.Length == 1 ? new MatMulEpilogue(1f, BuildContext.Empty, false, node.Outputs[0]) : MatMulEpilogueOf(ctx, node, n);
        var y = Out(ctx, epilogue.Output, outShape.ToArray());
        float[] floats = [epilogue.Alpha, 0f, 0f];
        if (bShared)
        {
            // B shared: fold A's batch dimensions into M. A GELU after it (BERT's intermediate
            // projection) runs in the tiles' epilogue while they are in registers, not as a pass over memory.
            var packed = PackedB(ctx, b, 1, k, n, false, node.Inputs[1]);
            var rows = aBatch.Product() * m;
            var act = epilogue.Gelu ? (long)Kernels.EpilogueActivation.Gelu : 0;
            ctx.Emit(StepKind.Gemm, [ctx.Op(a), packed, epilogue.Bias, ctx.Op(y)], [1, rows, n, k, 0, 0, 0, act], floats);
            return;
        }

        if (broadcast)
        {
            EmitBroadcastMatMul(ctx, a, b, aShape, bShape, outBatch, y, epilogue);
        }
        else
        {
            var packedAll = PackedB(ctx, b, batch, k, n, false, node.Inputs[1]);
            ctx.Emit(StepKind.Gemm, [ctx.Op(a), packedAll, epilogue.Bias, ctx.Op(y)],
                [batch, m, n, k, aShared ? 0 : m * k, KernelSizes.PackedBLength(k, n), m * n, 0], floats);
        }

        if (epilogue.Gelu)
        {
            ctx.Emit(StepKind.Activation, [ctx.Op(y), ctx.Op(y)], [(long)Kernels.ActivationOp.Gelu, y.Count], [0f, 0f]);
        }
    }

    /// <summary>
    /// A Relu or constant Clip that is the only reader of the node's output is done in the
    /// kernel's epilogue: returns (act, min, max) and the name the fused result takes.
    /// </summary>
    private static (int Act, float Min, float Max, string Output) FusedActivation(BuildContext ctx, OnnxNode node)
    {
        // The epilogue table's Relu and Clip rules (NodeEmitter.EpilogueRules); a Gemm folds no affine.
        var output = node.Outputs[0];
        if (ctx.Graph is null || ctx.GraphOutputNames.Contains(output) || ctx.ConsumersOf(output) is not [{ OpType: "Relu" or "Clip" } next]
            || !Claimable(ctx, next) || ChainActivations[next.OpType](ctx, next, output) is not { } activation)
        {
            return (0, 0f, 0f, output);
        }

        ctx.Absorbed.Add(next);
        return ((int)activation.Act, activation.P0, activation.P1, activation.Output);
    }

    /// <summary>B packed in panels: at compile time for a constant, else by a PackB step into scratch.</summary>
    private static RawOperand PackedB(BuildContext ctx, Val b, Dim batch, Dim k, Dim n, bool transB, string name)
    {
        var length = KernelSizes.PackedBLength(k, n) * batch;
        if (b.Const is { } c)
        {
            var (kk, nn, count) = ((int)k.Constant("a constant B's rows"), (int)n.Constant("a constant B's columns"), (int)batch.Constant("a constant B's batch"));
            return ctx.WeightOp($"packed:{name}:{transB}", () =>
            {
                var packed = new float[length.Value];
                Kernels.PackB(c.AsFloats(), packed, count, kk, nn, transB ? 1 : 0, kk * nn);
                return packed;
            });
        }

        var scratch = ctx.Scratch(length);
        ctx.Emit(StepKind.PackB, [ctx.Op(b), scratch], [batch, k, n, transB ? 1 : 0, k * n], []);
        return scratch;
    }

    private static RawOperand TransposeToScratch(BuildContext ctx, Val x, int[] perm)
    {
        var scratch = ctx.Scratch(x.Count);
        EmitTransposeInto(ctx, ctx.Op(x), x.Shape, perm, scratch);
        return scratch;
    }
}

using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class NodeEmitter
{
    /// <summary>The dynamic INT8 form: DynamicQuantizeLinear → MatMulInteger (→ Cast to float, fused) → Mul/Add in float.</summary>
    private static void EmitDynamicQuantize(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        var y = ctx.NewValue(node.Outputs[0], TensorElementType.UInt8, x.Shape);
        var scale = ctx.NewValue(node.Outputs.Count > 1 && node.Outputs[1].Length > 0 ? node.Outputs[1] : node.Outputs[0] + ":scale", TensorElementType.Float, []);
        var zero = ctx.NewValue(node.Outputs.Count > 2 && node.Outputs[2].Length > 0 ? node.Outputs[2] : node.Outputs[0] + ":zero", TensorElementType.UInt8, []);
        ctx.Emit(StepKind.DynamicQuantize, [ctx.Op(x), ctx.Op(y), ctx.Op(scale), ctx.Op(zero)], [x.Count], []);
    }

    private static void EmitMatMulInteger(BuildContext ctx, OnnxNode node) =>
        EmitIntegerProduct(ctx, node, aZeroIndex: 2, bZeroIndex: 3, node.Outputs[0], floatOutput: false);

    /// <summary>
    /// com.microsoft MatMulIntegerToFloat (dynamic INT8 with per-row activation scales): the integer
    /// product as float, then × A's scale (scalar or one per row) × B's scale (scalar or per column),
    /// then + bias, as ONNX Runtime's kernel computes it.
    /// </summary>
    private static void EmitMatMulIntegerToFloat(BuildContext ctx, OnnxNode node)
    {
        var output = node.Outputs[0];
        var product = output + ":integer_product";
        EmitIntegerProduct(ctx, node, aZeroIndex: 4, bZeroIndex: 5, product, floatOutput: true);
        var rowScaled = output + ":a_scaled";
        var hasBias = ctx.Optional(node, 6) is not null;
        var scaled = hasBias ? output + ":b_scaled" : output;
        EmitBinary(ctx, new OnnxNode("Mul", [product, node.Inputs[2]], [rowScaled], node.Name));
        EmitBinary(ctx, new OnnxNode("Mul", [rowScaled, node.Inputs[3]], [scaled], node.Name));
        if (hasBias)
        {
            EmitBinary(ctx, new OnnxNode("Add", [scaled, node.Inputs[6]], [output], node.Name));
        }
    }

    private static void EmitIntegerProduct(BuildContext ctx, OnnxNode node, int aZeroIndex, int bZeroIndex, string output, bool floatOutput)
    {
        var a = ctx.Get(node.Inputs[0]);
        var b = ctx.Get(node.Inputs[1]);
        if (a.Type != TensorElementType.UInt8 || a.IsConst)
        {
            throw new UnsupportedException("MatMulInteger needs a uint8 run-time A");
        }

        if (b.Const is not { Type: TensorElementType.Int8 } bc || b.Shape.Length != 2)
        {
            throw new UnsupportedException("MatMulInteger needs a constant 2-D int8 B");
        }

        if (ctx.Optional(node, bZeroIndex) is { } bZero && (bZero.Const is null || bZero.Const.Longs!.Any(v => v != 0)))
        {
            throw new UnsupportedException("MatMulInteger with a non-zero B zero point");
        }

        var aZero = ctx.Optional(node, aZeroIndex);
        if (aZero is not null && (aZero.Type != TensorElementType.UInt8 || aZero.Count != 1))
        {
            throw new UnsupportedException("MatMulInteger A zero point must be a uint8 scalar");
        }

        var (k, n) = ((int)b.Shape[0].Value, (int)b.Shape[1].Value);
        if (a.Shape[^1] != k)
        {
            throw new UnsupportedException("MatMulInteger inner dimensions differ");
        }

        var weights = bc.IntegerValues("MatMulInteger's B").Select(v => (sbyte)v).ToArray();
        var colSums = new int[n];
        for (var kk = 0; kk < k; kk++)
        {
            for (var col = 0; col < n; col++)
            {
                colSums[col] += weights[kk * n + col];
            }
        }

        // A single Cast to float that reads the int32 result is done by the kernel.
        var outputType = floatOutput ? TensorElementType.Float : TensorElementType.Int32;
        if (!floatOutput && ctx.Graph is not null && !ctx.GraphOutputNames.Contains(output) && ctx.ConsumersOf(output) is [{ OpType: "Cast" } cast]
            && cast.Int("to", 0) == (long)TensorElementType.Float)
        {
            ctx.Absorbed.Add(cast);
            (output, outputType) = (cast.Outputs[0], TensorElementType.Float);
        }

        var shape = a.Shape[..^1].Append(n).ToArray();
        var y = ctx.NewValue(output, outputType, shape);
        var key = node.Outputs[0];
        var packedLength = Kernels.PackedInt8BLength(k, n);
        var packed = ctx.WeightBytesOp($"mmi-packed:{key}", () =>
        {
            var bytes = new byte[packedLength];
            Kernels.PackInt8B(weights, bytes, k, n, 0);
            return bytes;
        }, packedLength);
        var sums = ctx.WeightBytesOp($"mmi-colsums:{key}", () => colSums.SelectMany(BitConverter.GetBytes).ToArray(), n);
        var zeroOp = aZero is null ? ctx.WeightBytesOp("zero-byte", () => [0], 1) : ctx.Op(aZero);
        var yOp = ctx.Op(y);
        ctx.Emit(StepKind.MatMulInteger, [ctx.Op(a), packed, sums, zeroOp, yOp with { Length = y.Count * 4 }, ctx.ScratchBytes(4L * n) with { Length = n }],
            [a.Shape.Product(0, a.Shape.Length - 1), n, k, outputType == TensorElementType.Float ? 2 : 3, Kernels.Int8PairsFit(weights, k, n, 0) ? 1 : 0], []);
    }
}

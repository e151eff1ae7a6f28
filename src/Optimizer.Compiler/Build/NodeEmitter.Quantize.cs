using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class NodeEmitter
{
    /// <summary>Scale and zero point as float arrays over the quantization axis (length 1 per tensor).</summary>
    private static (float[] Scale, float[] Zero, TensorElementType ZeroType, Dim Outer, Dim Axis, Dim Inner) QuantParameters(BuildContext ctx, OnnxNode node, Dim[] xShape)
    {
        node.Reject("block_size", a => a.Int != 0, "blocked quantization is not supported");
        node.Reject("saturate", a => a.Int != 1, "only saturating conversion");
        var scaleVal = ctx.Get(node.Inputs[1]);
        var scale = scaleVal.Const?.Floats ?? throw new UnsupportedException("the scale must be a float32 constant");
        var zeroVal = ctx.Optional(node, 2);
        if (zeroVal is { IsConst: false })
        {
            throw new UnsupportedException("the zero point must be a constant");
        }

        var zeroType = zeroVal?.Type ?? TensorElementType.UInt8;
        if (zeroType is not (TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Int32))
        {
            throw new UnsupportedException($"zero point type {zeroType} (uint8/int8 are supported)");
        }

        var zero = zeroVal?.Const!.AsFloats() ?? new float[scale.Length];
        if (scale.Length == 1)
        {
            return (scale, zero, zeroType, 1, 1, xShape.Product());
        }

        var axis = Attrs.NormalizeAxis(node.Int("axis", 1), xShape.Length);
        if (xShape[axis] != scale.Length)
        {
            throw new UnsupportedException("per-axis scale length does not match the axis");
        }

        return (scale, zero, zeroType, xShape.Product(0, axis), xShape[axis], xShape.Product(axis + 1));
    }

    private static void EmitQuantize(BuildContext ctx, OnnxNode node)
    {
        var x = Float(ctx, node.Inputs[0]);
        var (scale, zero, type, outer, axis, inner) = QuantParameters(ctx, node, x.Shape);
        if (type == TensorElementType.Int32)
        {
            throw new UnsupportedException("QuantizeLinear to int32");
        }

        var y = ctx.NewValue(node.Outputs[0], type, x.Shape);
        var key = node.Outputs[0];
        ctx.Emit(StepKind.Quantize, [ctx.Op(x), ctx.Op(y), ctx.WeightOp($"qscale:{key}", () => scale), ctx.WeightOp($"qzero:{key}", () => zero)],
            [outer, axis, inner, type == TensorElementType.Int8 ? 1 : 0], []);
    }

    private static void EmitDequantize(BuildContext ctx, OnnxNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        if (x.Type is not (TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Int32))
        {
            throw new UnsupportedException($"DequantizeLinear of {x.Type}");
        }

        var (scale, zero, _, outer, axis, inner) = QuantParameters(ctx, node, x.Shape);
        if (x.Const is { } c)
        {
            // Weights: dequantized once, at compile time.
            var q = c.IntegerValues("a quantized constant");
            var values = new float[q.Length];
            var i = 0;
            for (var o = 0; o < outer; o++)
            {
                for (var a = 0; a < axis; a++)
                {
                    for (var e = 0; e < inner; e++, i++)
                    {
                        values[i] = (q[i] - zero[a]) * scale[a];
                    }
                }
            }

            ctx.Define(new Val(node.Outputs[0], TensorElementType.Float, x.Shape) { Const = new ConstData(TensorElementType.Float, c.Shape, values, null, null) });
            return;
        }

        var y = Out(ctx, node.Outputs[0], x.Shape);
        var xOp = ctx.Op(x);
        var type = x.Type switch { TensorElementType.UInt8 => 0, TensorElementType.Int8 => 1, _ => 2 };
        var key = node.Outputs[0];
        ctx.Emit(StepKind.Dequantize, [xOp with { Length = x.Count * BuildContext.ElementSize(x.Type) }, ctx.Op(y),
                ctx.WeightOp($"dqscale:{key}", () => scale), ctx.WeightOp($"dqzero:{key}", () => zero)],
            [outer, axis, inner, type], []);
    }
}

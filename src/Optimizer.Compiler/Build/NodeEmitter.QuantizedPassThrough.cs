using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class NodeEmitter
{
    /// <summary>MaxPool on the uint8 bytes, or a reshape aliasing them, named as the QuantizeLinear's output.</summary>
    private static void EmitQuantizedPassThrough(BuildContext ctx, OnnxNode node, OnnxNode dq, OnnxNode q)
    {
        var x = ctx.Get(dq.Inputs[0]);
        if (x.Type != TensorElementType.UInt8 || x.IsConst)
        {
            throw new UnsupportedException("the quantized pass-through input is not a uint8 run-time value");
        }

        var name = q.Outputs[0];
        if (node.OpType != "MaxPool")
        {
            var shape = ShapeOps.AliasShape(ctx, node, x);
            ctx.Define(new Val(name, x.Type, shape) { Storage = x.Storage, Offset = x.Offset });
            return;
        }

        EmitMaxPoolU8(ctx, node, x, name);
    }

    /// <summary>MaxPool <paramref name="node"/> on the uint8 bytes of <paramref name="x"/> (max commutes with every non-decreasing map, quantization included), as <paramref name="name"/>.</summary>
    internal static Val EmitMaxPoolU8(BuildContext ctx, OnnxNode node, Val x, string name)
    {
        var kernel = node.Ints("kernel_shape") ?? throw new UnsupportedException("kernel_shape is required");
        if (x.Shape.Length != 4)
        {
            throw new UnsupportedException("quantized MaxPool is 2-D only");
        }

        var g = Geometry(node, x.Shape, kernel);
        var y = ctx.NewValue(name, TensorElementType.UInt8, [x.Shape[0], x.Shape[1], g.OH, g.OW]);
        ctx.Emit(StepKind.MaxPoolU8, [ctx.Op(x), ctx.Op(y)],
            [x.Shape[0] * x.Shape[1], g.H, g.W, g.OH, g.OW, g.KH, g.KW, g.PadTop, g.PadLeft, g.StrideH, g.StrideW, g.DilH, g.DilW], []);
        return y;
    }
}

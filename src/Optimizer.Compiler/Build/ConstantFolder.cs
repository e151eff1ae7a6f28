using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;

namespace Optimizer.Compiler.Build;

/// <summary>Evaluates shape arithmetic on constants at compile time (Shape → Gather → Concat → Reshape chains).</summary>
internal static class ConstantFolder
{
    public static bool TryFold(BuildContext ctx, OnnxNode node, Val[] inputs)
    {
        var c = inputs[0].Const!;
        ConstData? result = node.OpType switch
        {
            "Identity" => c,
            "Reshape" or "Flatten" or "Squeeze" or "Unsqueeze" => c with { Shape = ShapeOps.AliasShape(ctx, node, inputs[0]).Constants("a constant's shape") },
            "Cast" => Cast(ctx, c, (TensorElementType)node.Int("to", 0)),
            "Not" when c.Type == TensorElementType.Bool && c.Longs is { } flags => new ConstData(c.Type, c.Shape, null, flags.Select(v => (Dim)(v == 0 ? 1 : 0)).ToArray(), null),
            "Gather" => Gather(c, inputs[1].Const!, node.Int("axis", 0)),
            "Concat" when inputs.All(v => v.Const!.Longs is not null && v.Type == TensorElementType.Int64) =>
                new ConstData(TensorElementType.Int64, [inputs.Sum(v => v.Const!.Count)], null, inputs.SelectMany(v => v.Const!.Longs!).ToArray(), null),
            "Concat" when inputs.All(v => v.Const!.Floats is not null) => ConcatFloats(inputs.Select(v => v.Const!).ToArray(), node.Int("axis", 0)),
            "Shape" or "Size" => null,
            _ when c.Type == TensorElementType.Int64 && inputs.Length == 2 && inputs[1].Const!.Longs is { Length: 1 } && c.Longs is { } l
                   && node.OpType is "Add" or "Sub" or "Mul" or "Div" =>
                c with { Longs = l.Select(v => Arith(node.OpType, v, inputs[1].Const!.Longs![0])).ToArray() },
            "Equal" or "Less" or "LessOrEqual" or "Greater" or "GreaterOrEqual" when IntegerPair(inputs) is var (a, b, shape) && a is not null =>
                new ConstData(TensorElementType.Bool, shape, null, a.Zip(b!, (x, y) => (Dim)(ctx.Decide(x, y, Enum.Parse<ShapeRelation>(node.OpType)) ? 1 : 0)).ToArray(), null),
            _ => null,
        };
        if (result is null)
        {
            return false;
        }

        ctx.Define(new Val(node.Outputs[0], result.Type, Dims.Of(result.Shape)) { Const = result });
        return true;
    }

    /// <summary>
    /// Two integer constants of one shape, or one of them a single value broadcast to the other
    /// (the shape comparisons exporters write: Equal(Gather(Shape(x), 0), 1)); null when not.
    /// </summary>
    private static (Dim[]? A, Dim[]? B, long[] Shape) IntegerPair(Val[] inputs)
    {
        if (inputs.Length != 2 || inputs[0].Const?.Longs is not { } a || inputs[1].Const?.Longs is not { } b || inputs[0].Type == TensorElementType.Bool)
        {
            return (null, null, []);
        }

        var (shapeA, shapeB) = (inputs[0].Const!.Shape, inputs[1].Const!.Shape);
        return a.Length == b.Length && shapeA.SequenceEqual(shapeB) ? (a, b, shapeA)
            : b.Length == 1 && shapeB.Length <= shapeA.Length ? (a, Enumerable.Repeat(b[0], a.Length).ToArray(), shapeA)
            : a.Length == 1 && shapeA.Length <= shapeB.Length ? (Enumerable.Repeat(a[0], b.Length).ToArray(), b, shapeB)
            : (null, null, []);
    }

    /// <summary>Shape of a value with a known shape (runtime or constant).</summary>
    public static void FoldShape(BuildContext ctx, OnnxNode node)
    {
        var x = ctx.Get(node.Inputs[0]);
        var rank = x.Shape.Length;
        var start = (int)node.Int("start", 0);
        var end = (int)node.Int("end", rank);
        start = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        end = Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        var dims = x.Shape[start..Math.Max(start, end)];
        ctx.Define(new Val(node.Outputs[0], TensorElementType.Int64, [dims.Length]) { Const = new ConstData(TensorElementType.Int64, [dims.Length], null, dims, null) });
    }

    /// <summary>Size: the element count of a value with a known shape, an int64 scalar (a size expression when the shape is symbolic).</summary>
    public static void FoldSize(BuildContext ctx, OnnxNode node)
    {
        var count = ctx.Get(node.Inputs[0]).Shape.Product();
        ctx.Define(new Val(node.Outputs[0], TensorElementType.Int64, []) { Const = new ConstData(TensorElementType.Int64, [], null, [count], null) });
    }

    /// <summary>Shape arithmetic; ONNX's integer Div truncates, which is the floor for the non-negative sizes it divides.</summary>
    private static Dim Arith(string op, Dim a, Dim b) => op switch
    {
        "Add" => a + b,
        "Sub" => a - b,
        "Mul" => a * b,
        _ when a.IsConstant && b.IsConstant => b.Value == 0 ? throw new UnsupportedException("division by zero in shape arithmetic") : a.Value / b.Value,
        _ => a / b,
    };

    private static ConstData? Cast(BuildContext ctx, ConstData c, TensorElementType to) => to switch
    {
        // A size tested for zero (If(Cast(Gather(Shape(state), 0), bool))): a guard where the size is symbolic.
        TensorElementType.Bool when c.Longs is not null => new ConstData(to, c.Shape, null, c.Longs.Select(v => (Dim)(ctx.Decide(v, 0, ShapeRelation.Equal) ? 0 : 1)).ToArray(), null),
        TensorElementType.Int64 when c.Longs is not null => c with { Type = to, Bytes = null },
        TensorElementType.Int64 when c.Floats is not null => new ConstData(to, c.Shape, null, Dims.Of(c.Floats.Select(f => (long)f)), null),
        TensorElementType.Float => new ConstData(to, c.Shape, c.AsFloats(), null, null),
        _ => null,
    };

    /// <summary>Float constants joined along an axis (weights an exporter slices and re-joins, such as an LSTM's gate order).</summary>
    private static ConstData ConcatFloats(ConstData[] parts, long axis)
    {
        var shape = (long[])parts[0].Shape.Clone();
        var a = Attrs.NormalizeAxis(axis, shape.Length);
        shape[a] = parts.Sum(p => p.Shape[a]);
        var outer = shape.Product(0, a);
        var joined = new List<float>((int)shape.Product());
        for (var o = 0; o < outer; o++)
        {
            foreach (var p in parts)
            {
                var block = (int)p.Shape.Product(a);
                joined.AddRange(p.Floats!.AsSpan(o * block, block));
            }
        }

        return new ConstData(TensorElementType.Float, shape, joined.ToArray(), null, null);
    }

    private static ConstData? Gather(ConstData data, ConstData indices, long axis)
    {
        if (data.Longs is null || data.Shape.Length != 1 || axis != 0 || indices.Longs is null)
        {
            return null;
        }

        var n = data.Longs.Length;
        var picked = indices.Longs.Select(i => i.Constant("a Gather index")).Select(i => data.Longs[i < 0 ? i + n : i]).ToArray();
        return new ConstData(TensorElementType.Int64, indices.Shape, null, picked, null);
    }
}

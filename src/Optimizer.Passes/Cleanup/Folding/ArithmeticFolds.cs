using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup.Folding;

/// <summary>Folding rules that compute: Add, Sub, Mul, Div (numpy broadcasting) and Cast.</summary>
internal static class ArithmeticFolds
{
    public static ConstantValue Add(FoldContext c) => Binary(c, (a, b) => a + b, (a, b) => a + b);

    public static ConstantValue Sub(FoldContext c) => Binary(c, (a, b) => a - b, (a, b) => a - b);

    public static ConstantValue Mul(FoldContext c) => Binary(c, (a, b) => a * b, (a, b) => a * b);

    // Integer Div truncates toward zero, as ONNX Runtime does.
    public static ConstantValue Div(FoldContext c) =>
        Binary(c, (a, b) => a / b, (a, b) => b != 0 ? a / b : throw new FoldingNotPossible("integer division by zero"));

    /// <summary>Cast: float to integer truncates toward zero (ONNX Runtime's static_cast); floats round to the target precision.</summary>
    public static ConstantValue Cast(FoldContext c)
    {
        var input = c.Input(0);
        var to = (TensorElementType)c.Int("to", 0);
        if (!ConstantValue.IsSupported(to)) throw new FoldingNotPossible($"casting to {to} is not folded");
        if (to == TensorElementType.Bool)
        {
            return ConstantValue.Integer(to, input.Dims, Enumerable.Range(0, input.Count).Select(i => input.AsDouble(i) != 0 ? 1L : 0L).ToArray());
        }

        if (input.IsReal && !ConstantValue.IsRealType(to) && input.Reals!.Any(v => !double.IsFinite(v) || Math.Abs(v) >= 9.2e18))
        {
            throw new FoldingNotPossible("a NaN, infinite or out-of-range value would be cast to an integer (implementation-defined)");
        }

        return ConstantValue.Of(to, input.Dims, input.Reals, input.Integers);
    }

    private static ConstantValue Binary(FoldContext c, Func<double, double, double> real, Func<long, long, long> integer)
    {
        var (a, b) = (c.Input(0), c.Input(1));
        if (a.ElementType != b.ElementType) throw new FoldingNotPossible($"operand types differ ({a.ElementType}, {b.ElementType})");
        var dims = BroadcastDims(a.Dims, b.Dims);
        var ai = BroadcastIndices(a.Dims, dims);
        var bi = BroadcastIndices(b.Dims, dims);
        return a.IsReal
            ? ConstantValue.Real(a.ElementType, dims, ai.Select((x, i) => real(a.Reals![x], b.Reals![bi[i]])).ToArray())
            : ConstantValue.Integer(a.ElementType, dims, ai.Select((x, i) => integer(a.Integers![x], b.Integers![bi[i]])).ToArray());
    }

    private static long[] BroadcastDims(long[] a, long[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var dims = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var x = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            var y = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            dims[i] = x == y || y == 1 ? x : x == 1 ? y : throw new FoldingNotPossible($"shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast");
        }

        return dims;
    }

    /// <summary>For each element of the broadcast result, the flat index into the operand of shape <paramref name="from"/>.</summary>
    private static int[] BroadcastIndices(long[] from, long[] to)
    {
        var strides = ConstantValue.Strides(from);
        var offset = to.Length - from.Length;
        return MovementFolds.MapIndices(to, (_, coord) =>
        {
            long index = 0;
            for (var i = 0; i < from.Length; i++)
            {
                index += from[i] == 1 ? 0 : coord[i + offset] * strides[i];
            }

            return index;
        });
    }
}

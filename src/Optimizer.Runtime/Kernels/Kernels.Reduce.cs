namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Reduces the middle axis of <c>[outer, axis, inner]</c> into <c>[outer, inner]</c>.
    /// <paramref name="op"/>: 0 mean, 1 sum, 2 max, 3 min.
    /// </summary>
    public static void Reduce(ReadOnlySpan<float> x, Span<float> y, int op, int outer, int axis, int inner)
    {
        if (axis == 0)
        {
            // An empty reduction gives the operator's identity (ONNX: max −∞, min +∞, sum 0; mean is 0/0).
            y.Slice(0, outer * inner).Fill(op switch { 1 => 0f, 2 => float.NegativeInfinity, 3 => float.PositiveInfinity, _ => float.NaN });
            return;
        }

        if (inner == 1)
        {
            ReduceRows(x, y, op, outer, axis);
            return;
        }

        for (var o = 0; o < outer; o++)
        {
            var dst = y.Slice(o * inner, inner);
            var src = x.Slice(o * axis * inner, axis * inner);
            src.Slice(0, inner).CopyTo(dst);
            for (var j = 1; j < axis; j++)
            {
                var row = src.Slice(j * inner, inner);
                switch (op)
                {
                    case 0 or 1: System.Numerics.Tensors.TensorPrimitives.Add(dst, row, dst); break;
                    case 2: System.Numerics.Tensors.TensorPrimitives.Max(dst, row, dst); break;
                    default: System.Numerics.Tensors.TensorPrimitives.Min(dst, row, dst); break;
                }
            }

            if (op == 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(dst, 1f / axis, dst);
            }
        }
    }

    /// <summary>Reduces each contiguous row of <c>[outer, axis]</c> to one value (ReduceMean over the last axis, as LayerNorm patterns have it).</summary>
    private static void ReduceRows(ReadOnlySpan<float> x, Span<float> y, int op, int outer, int axis)
    {
        for (var o = 0; o < outer; o++)
        {
            var row = x.Slice(o * axis, axis);
            y[o] = op switch
            {
                0 => System.Numerics.Tensors.TensorPrimitives.Sum(row) * (1f / axis),
                1 => System.Numerics.Tensors.TensorPrimitives.Sum(row),
                2 => System.Numerics.Tensors.TensorPrimitives.Max(row),
                _ => System.Numerics.Tensors.TensorPrimitives.Min(row),
            };
        }
    }
}

using Optimizer.Compiler.Shapes;

namespace Optimizer.Compiler.Build;

/// <summary>
/// The shape math of the slicing and broadcasting operators, one small function each: the output
/// shape and the kernel's integer arguments from the input shape and the (constant) parameters.
/// </summary>
internal static class OpShapes
{
    /// <summary>Row-major element strides of <paramref name="shape"/>.</summary>
    public static Dim[] Strides(Dim[] shape)
    {
        var strides = new Dim[shape.Length];
        Dim stride = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= shape[i];
        }

        return strides;
    }

    /// <summary>A strided read of the input: the output dims, the first element and the element stride per output dim.</summary>
    public readonly record struct StridedRead(Dim[] Shape, Dim Start, Dim[] Strides);

    /// <summary>
    /// Slice with starts/ends known at compile time (constants, or sizes of the symbolic dims) and
    /// constant axes/steps (ONNX clamping; negative steps walk backwards). Where a start or end is a
    /// symbolic size, the clamping decisions become guards (<see cref="BuildContext.Decide"/>).
    /// </summary>
    public static StridedRead Slice(BuildContext ctx, Dim[] shape, Dim[] starts, Dim[] ends, long[]? axes, long[]? steps)
    {
        var rank = shape.Length;
        var inStrides = Strides(shape);
        var outShape = (Dim[])shape.Clone();
        var strides = (Dim[])inStrides.Clone();
        Dim start = 0;
        for (var i = 0; i < starts.Length; i++)
        {
            var axis = Attrs.NormalizeAxis(axes?[i] ?? i, rank);
            var step = steps?[i] ?? 1;
            if (step == 0)
            {
                throw new UnsupportedException("Slice step 0");
            }

            var dim = shape[axis];
            var (s, e) = (starts[i], ends[i]);
            // INT64_MAX-style "to the end" markers are constants; only symbolic sizes make guards.
            s = ctx.Decide(s, 0, ShapeRelation.Less) ? s + dim : s;
            e = ctx.Decide(e, 0, ShapeRelation.Less) ? e + dim : e;
            (s, e) = step > 0 ? (Clamp(ctx, s, 0, dim), Clamp(ctx, e, 0, dim)) : (Clamp(ctx, s, 0, dim - 1), Clamp(ctx, e, -1, dim - 1));
            var count = step > 0 ? (e - s + (step - 1)) / step : (s - e - step - 1) / -step;
            outShape[axis] = ctx.Decide(count, 0, ShapeRelation.Greater) ? count : 0;
            strides[axis] = inStrides[axis] * step;
            start += outShape[axis] > 0 ? s * inStrides[axis] : 0;
        }

        return new StridedRead(outShape, start, strides);
    }

    /// <summary>min(max(x, lo), hi), deciding through <paramref name="ctx"/> so symbolic sizes leave guards.</summary>
    private static Dim Clamp(BuildContext ctx, Dim x, Dim lo, Dim hi) =>
        ctx.Decide(x, lo, ShapeRelation.Less) ? lo : ctx.Decide(x, hi, ShapeRelation.Greater) ? hi : x;

    /// <summary>Whether every size of the read is a compile-time constant (a read of a constant can then happen now).</summary>
    public static bool IsConstant(StridedRead read) => read.Start.IsConstant && read.Shape.All(d => d.IsConstant) && read.Strides.All(d => d.IsConstant);

    /// <summary>The element indices a constant strided read visits, in output order (for reads of constants at compile time).</summary>
    public static long[] Gather(StridedRead read)
    {
        var shape = read.Shape.Constants("a read of a constant");
        var strides = read.Strides.Constants("a read of a constant");
        var count = shape.Product();
        var indices = new long[count];
        for (long o = 0; o < count; o++)
        {
            var (rest, index) = (o, read.Start.Value);
            for (var d = shape.Length - 1; d >= 0; d--)
            {
                index += rest % shape[d] * strides[d];
                rest /= shape[d];
            }

            indices[o] = index;
        }

        return indices;
    }

    /// <summary>Expand: the input broadcast to <paramref name="target"/> (numpy rules in both directions).</summary>
    public static StridedRead Expand(Dim[] shape, Dim[] target)
    {
        var outShape = ShapeOps.Broadcast(shape, target);
        return new StridedRead(outShape, 0, ShapeOps.BroadcastStrides(shape, outShape));
    }

    /// <summary>
    /// Tile as one strided read: the output viewed as <c>[r0, d0, r1, d1, …]</c> reads the input with
    /// stride 0 along each repeat; returns the output shape and that view.
    /// </summary>
    public static (Dim[] Shape, StridedRead View) Tile(Dim[] shape, Dim[] repeats)
    {
        if (repeats.Length != shape.Length || repeats.Any(r => r < 0))
        {
            throw new UnsupportedException("Tile repeats must match the rank and be ≥ 0");
        }

        var inStrides = Strides(shape);
        var outShape = shape.Select((d, i) => d * repeats[i]).ToArray();
        var viewDims = shape.SelectMany((d, i) => new[] { repeats[i], d }).ToArray();
        var viewStrides = inStrides.SelectMany(s => new[] { (Dim)0, s }).ToArray();
        return (outShape, new StridedRead(viewDims, 0, viewStrides));
    }

    /// <summary>Split along <paramref name="axis"/> into parts of <paramref name="sizes"/>: one strided read per part.</summary>
    public static StridedRead[] Split(Dim[] shape, int axis, Dim[] sizes)
    {
        if (sizes.Aggregate((Dim)0, (a, b) => a + b) != shape[axis])
        {
            throw new UnsupportedException($"Split sizes {sizes.Format()} do not add up to {shape[axis]}");
        }

        var strides = Strides(shape);
        Dim offset = 0;
        var parts = new StridedRead[sizes.Length];
        for (var i = 0; i < sizes.Length; i++)
        {
            var part = (Dim[])shape.Clone();
            part[axis] = sizes[i];
            parts[i] = new StridedRead(part, offset * strides[axis], strides);
            offset += sizes[i];
        }

        return parts;
    }

    /// <summary>Pad: the output shape from per-axis begin/end pads (negative crops).</summary>
    public static Dim[] Pad(Dim[] shape, long[] begins, long[] ends)
    {
        var outShape = shape.Select((d, i) => d + begins[i] + ends[i]).ToArray();
        return outShape.All(d => d >= 0) ? outShape : throw new UnsupportedException("Pad crops more than the dimension");
    }

    /// <summary>Gather: data[:axis] + indices' shape + data[axis+1:], and (outer, axis length, elements per row, index count).</summary>
    public static (Dim[] Shape, Dim Outer, Dim Axis, Dim Row, Dim Count) Gather(Dim[] data, Dim[] indices, int axis) =>
        (data[..axis].Concat(indices).Concat(data[(axis + 1)..]).ToArray(), data.Product(0, axis), data[axis], data.Product(axis + 1), indices.Product());

    /// <summary>ConvTranspose's output size along one axis (explicit pads).</summary>
    public static Dim ConvTransposeSize(Dim input, long kernel, long stride, long dilation, long padBegin, long padEnd, long outputPadding) =>
        stride * (input - 1) + outputPadding + (kernel - 1) * dilation + 1 - padBegin - padEnd;
}

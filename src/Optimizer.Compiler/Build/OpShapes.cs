namespace Optimizer.Compiler.Build;

/// <summary>
/// The shape math of the slicing and broadcasting operators, one small function each: the output
/// shape and the kernel's integer arguments from the input shape and the (constant) parameters.
/// </summary>
internal static class OpShapes
{
    /// <summary>Row-major element strides of <paramref name="shape"/>.</summary>
    public static long[] Strides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= shape[i];
        }

        return strides;
    }

    /// <summary>A strided read of the input: the output dims, the first element and the element stride per output dim.</summary>
    public readonly record struct StridedRead(long[] Shape, long Start, long[] Strides);

    /// <summary>Slice with constant starts/ends/axes/steps (ONNX clamping; negative steps walk backwards).</summary>
    public static StridedRead Slice(long[] shape, long[] starts, long[] ends, long[]? axes, long[]? steps)
    {
        var rank = shape.Length;
        var inStrides = Strides(shape);
        var outShape = (long[])shape.Clone();
        var strides = (long[])inStrides.Clone();
        long start = 0;
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
            s = s < 0 ? s + dim : s;
            e = e < 0 ? e + dim : e;
            (s, e) = step > 0 ? (Math.Clamp(s, 0, dim), Math.Clamp(e, 0, dim)) : (Math.Clamp(s, 0, dim - 1), Math.Clamp(e, -1, dim - 1));
            var count = step > 0 ? (e - s + step - 1) / step : (s - e - step - 1) / -step;
            outShape[axis] = Math.Max(0, count);
            strides[axis] = inStrides[axis] * step;
            start += outShape[axis] > 0 ? s * inStrides[axis] : 0;
        }

        return new StridedRead(outShape, start, strides);
    }

    /// <summary>The element indices a strided read visits, in output order (for reads of constants at compile time).</summary>
    public static long[] Gather(StridedRead read)
    {
        var count = read.Shape.Product();
        var indices = new long[count];
        for (long o = 0; o < count; o++)
        {
            var (rest, index) = (o, read.Start);
            for (var d = read.Shape.Length - 1; d >= 0; d--)
            {
                index += rest % read.Shape[d] * read.Strides[d];
                rest /= read.Shape[d];
            }

            indices[o] = index;
        }

        return indices;
    }

    /// <summary>Expand: the input broadcast to <paramref name="target"/> (numpy rules in both directions).</summary>
    public static StridedRead Expand(long[] shape, long[] target)
    {
        var outShape = ShapeOps.Broadcast(shape, target);
        return new StridedRead(outShape, 0, ShapeOps.BroadcastStrides(shape, outShape));
    }

    /// <summary>
    /// Tile as one strided read: the output viewed as <c>[r0, d0, r1, d1, …]</c> reads the input with
    /// stride 0 along each repeat; returns the output shape and that view.
    /// </summary>
    public static (long[] Shape, StridedRead View) Tile(long[] shape, long[] repeats)
    {
        if (repeats.Length != shape.Length || repeats.Any(r => r < 0))
        {
            throw new UnsupportedException("Tile repeats must match the rank and be ≥ 0");
        }

        var inStrides = Strides(shape);
        var outShape = shape.Select((d, i) => d * repeats[i]).ToArray();
        var viewDims = shape.SelectMany((d, i) => new[] { repeats[i], d }).ToArray();
        var viewStrides = inStrides.SelectMany(s => new[] { 0L, s }).ToArray();
        return (outShape, new StridedRead(viewDims, 0, viewStrides));
    }

    /// <summary>Split along <paramref name="axis"/> into parts of <paramref name="sizes"/>: one strided read per part.</summary>
    public static StridedRead[] Split(long[] shape, int axis, long[] sizes)
    {
        if (sizes.Sum() != shape[axis])
        {
            throw new UnsupportedException($"Split sizes [{string.Join(",", sizes)}] do not add up to {shape[axis]}");
        }

        var strides = Strides(shape);
        long offset = 0;
        var parts = new StridedRead[sizes.Length];
        for (var i = 0; i < sizes.Length; i++)
        {
            var part = (long[])shape.Clone();
            part[axis] = sizes[i];
            parts[i] = new StridedRead(part, offset * strides[axis], strides);
            offset += sizes[i];
        }

        return parts;
    }

    /// <summary>Pad: the output shape from per-axis begin/end pads (negative crops).</summary>
    public static long[] Pad(long[] shape, long[] begins, long[] ends)
    {
        var outShape = shape.Select((d, i) => d + begins[i] + ends[i]).ToArray();
        return outShape.All(d => d >= 0) ? outShape : throw new UnsupportedException("Pad crops more than the dimension");
    }

    /// <summary>Gather: data[:axis] + indices' shape + data[axis+1:], and (outer, axis length, elements per row, index count).</summary>
    public static (long[] Shape, long Outer, long Axis, long Row, long Count) Gather(long[] data, long[] indices, int axis) =>
        (data[..axis].Concat(indices).Concat(data[(axis + 1)..]).ToArray(), data.Product(0, axis), data[axis], data.Product(axis + 1), indices.Product());

    /// <summary>ConvTranspose's output size along one axis (explicit pads).</summary>
    public static long ConvTransposeSize(long input, long kernel, long stride, long dilation, long padBegin, long padEnd, long outputPadding) =>
        stride * (input - 1) + outputPadding + (kernel - 1) * dilation + 1 - padBegin - padEnd;
}

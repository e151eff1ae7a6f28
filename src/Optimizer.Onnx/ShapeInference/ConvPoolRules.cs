namespace Optimizer.Onnx;

/// <summary>Conv, MaxPool, AveragePool and the global pools: [N, C, spatial…] shapes.</summary>
internal static class ConvPoolRules
{
    public static InferredType Conv(NodeContext c)
    {
        var x = c.Shape(0);
        var w = c.Shape(1);
        if (x is null || x.Length < 3) return new InferredType(c.ElementType(0), x is null ? null : x.Select(_ => Dim.Unknown).ToArray());
        var kernel = c.Ints("kernel_shape") ?? (w is { } ws && ws.Length == x.Length ? StaticSpatial(ws) : null);
        var channels = w is { Length: > 0 } ? w[0] : Dim.Unknown;
        return new InferredType(c.ElementType(0), [x[0], channels, .. Spatial(c, x, kernel, ceil: false)]);
    }

    public static InferredType Pool(NodeContext c)
    {
        var x = c.Shape(0);
        if (x is null || x.Length < 3) return new InferredType(c.ElementType(0), x);
        var kernel = c.Ints("kernel_shape");
        return new InferredType(c.ElementType(0), [x[0], x[1], .. Spatial(c, x, kernel, ceil: c.Int("ceil_mode", 0) != 0)]);
    }

    /// <summary>GlobalAveragePool / GlobalMaxPool: every spatial axis becomes 1.</summary>
    public static InferredType GlobalPool(NodeContext c)
    {
        var x = c.Shape(0);
        if (x is null || x.Length < 3) return new InferredType(c.ElementType(0), x);
        return new InferredType(c.ElementType(0), [x[0], x[1], .. Enumerable.Repeat(Dim.Fixed(1), x.Length - 2)]);
    }

    private static long[]? StaticSpatial(Dim[] weight) =>
        weight.Skip(2).All(d => d.Size is not null) ? weight.Skip(2).Select(d => d.Size!.Value).ToArray() : null;

    private static Dim[] Spatial(NodeContext c, Dim[] x, long[]? kernel, bool ceil)
    {
        var count = x.Length - 2;
        var strides = SpatialInts(c, "strides", count, count, minimum: 1) ?? Enumerable.Repeat(1L, count).ToArray();
        var dilations = SpatialInts(c, "dilations", count, count, minimum: 1) ?? Enumerable.Repeat(1L, count).ToArray();
        var pads = SpatialInts(c, "pads", count, count * 2, minimum: 0) ?? new long[count * 2];
        if (c.Ints("kernel_shape") is not null) SpatialInts(c, "kernel_shape", count, count, minimum: 1);
        if (kernel is null || kernel.Length != count) return Enumerable.Repeat(Dim.Unknown, count).ToArray();
        var autoPad = c.String("auto_pad") ?? "NOTSET";
        var result = new Dim[count];
        for (var i = 0; i < count; i++)
        {
            if (kernel[i] < 1)
            {
                throw c.Inconsistent("input shapes", $"the weight's spatial axis {i} has size {kernel[i]}; a kernel needs at least 1");
            }

            var effectiveKernel = checked(dilations[i] * (kernel[i] - 1) + 1);
            var stride = strides[i];
            var (begin, end) = (pads[i], pads[i + count]);
            result[i] = autoPad switch
            {
                "SAME_UPPER" or "SAME_LOWER" => DimMath.Map(x[i + 2], n => checked(n + stride - 1) / stride),
                // VALID windows stay inside the input, as before ceil_mode existed.
                "VALID" => DimMath.Map(x[i + 2], n => OutputSize(c, i, n, 0, 0, effectiveKernel, stride, ceil: false)),
                _ => DimMath.Map(x[i + 2], n => OutputSize(c, i, n, begin, end, effectiveKernel, stride, ceil)),
            };
        }

        return result;
    }

    /// <summary>
    /// An ints attribute with one value per spatial axis (<paramref name="length"/> of them) each at
    /// least <paramref name="minimum"/>, or null when absent; refused with OPT1123 otherwise.
    /// </summary>
    private static long[]? SpatialInts(NodeContext c, string name, int spatialAxes, int length, long minimum)
    {
        if (c.Ints(name) is not { } values) return null;
        if (values.Length != length)
        {
            throw c.Inconsistent($"attribute '{name}'",
                $"it has {values.Length} values, but the input has {spatialAxes} spatial axes, so it needs {length}");
        }

        foreach (var value in values)
        {
            if (value < minimum)
            {
                throw c.Inconsistent($"attribute '{name}'", $"value {value} is less than {minimum}");
            }
        }

        return values;
    }

    private static long OutputSize(NodeContext c, int axis, long size, long begin, long end, long kernel, long stride, bool ceil)
    {
        var padded = checked(size + begin + end);
        var span = padded - kernel;
        if (span < 0)
        {
            throw c.Inconsistent("attribute 'kernel_shape'",
                $"on spatial axis {axis} the kernel covers {kernel} elements (with dilation), more than the {padded} of the padded input");
        }

        if (!ceil) return span / stride + 1;
        var count = checked(span + stride - 1) / stride + 1;
        // ceil_mode: a last window that would start inside the end padding is dropped.
        return checked((count - 1) * stride) >= checked(size + begin) ? count - 1 : count;
    }
}

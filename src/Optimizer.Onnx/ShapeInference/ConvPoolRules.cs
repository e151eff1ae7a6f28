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
        if (kernel is null || kernel.Length != count) return Enumerable.Repeat(Dim.Unknown, count).ToArray();
        var strides = c.Ints("strides") ?? Enumerable.Repeat(1L, count).ToArray();
        var dilations = c.Ints("dilations") ?? Enumerable.Repeat(1L, count).ToArray();
        var pads = c.Ints("pads") ?? new long[count * 2];
        var autoPad = c.String("auto_pad") ?? "NOTSET";
        var result = new Dim[count];
        for (var i = 0; i < count; i++)
        {
            var effectiveKernel = dilations[i] * (kernel[i] - 1) + 1;
            var stride = strides[i];
            var (begin, end) = (pads[i], pads[i + count]);
            result[i] = autoPad switch
            {
                "SAME_UPPER" or "SAME_LOWER" => DimMath.Map(x[i + 2], n => (n + stride - 1) / stride),
                "VALID" => DimMath.Map(x[i + 2], n => (n - effectiveKernel) / stride + 1),
                _ => DimMath.Map(x[i + 2], n => OutputSize(n, begin, end, effectiveKernel, stride, ceil)),
            };
        }

        return result;
    }

    private static long OutputSize(long size, long begin, long end, long kernel, long stride, bool ceil)
    {
        var span = size + begin + end - kernel;
        if (!ceil) return (long)Math.Floor((double)span / stride) + 1;
        var count = (span + stride - 1) / stride + 1;
        // ceil_mode: a last window that would start inside the end padding is dropped.
        return (count - 1) * stride >= size + begin ? count - 1 : count;
    }
}

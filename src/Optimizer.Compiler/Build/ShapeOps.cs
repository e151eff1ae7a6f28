using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;

namespace Optimizer.Compiler.Build;

/// <summary>Output shapes of the shape-only operators.</summary>
internal static class ShapeOps
{
    public static Dim[] AliasShape(BuildContext ctx, OnnxNode node, Val x) => node.OpType switch
    {
        "Reshape" => Reshape(x.Shape, LongsInput(ctx, node, 1, "the target shape"), node.Int("allowzero", 0) != 0),
        "Flatten" => Flatten(x.Shape, node.Int("axis", 1)),
        "Squeeze" => Squeeze(x.Shape, ctx.Opset >= 13 ? OptionalAxes(ctx, node, 1) : node.Ints("axes")),
        "Unsqueeze" => Unsqueeze(x.Shape, ctx.Opset >= 13 ? LongsInput(ctx, node, 1, "axes").Constants("Unsqueeze axes") : node.Ints("axes") ?? throw new UnsupportedException("Unsqueeze without axes")),
        _ => x.Shape,
    };

    public static Dim[] Reshape(Dim[] input, Dim[] target, bool allowZero)
    {
        var shape = new Dim[target.Length];
        var inferred = -1;
        Dim known = 1;
        for (var i = 0; i < target.Length; i++)
        {
            var d = target[i];
            if (d == 0 && !allowZero)
            {
                d = i < input.Length ? input[i] : throw new UnsupportedException("Reshape copies a dimension the input lacks");
            }

            if (d == -1)
            {
                inferred = inferred < 0 ? i : throw new UnsupportedException("Reshape has two -1 dimensions");
                continue;
            }

            shape[i] = d;
            known *= d;
        }

        var total = input.Product();
        if (inferred >= 0)
        {
            shape[inferred] = known == 0 ? 0 : total / known;
        }

        return shape.Product() == total ? shape : throw new UnsupportedException($"Reshape from {input.Format()} to {target.Format()} changes the element count");
    }

    public static Dim[] Flatten(Dim[] shape, long axis)
    {
        var a = axis < 0 ? axis + shape.Length : axis;
        if (a < 0 || a > shape.Length)
        {
            throw new UnsupportedException($"Flatten axis {axis} is out of range");
        }

        return [shape.Product(0, (int)a), shape.Product((int)a)];
    }

    public static Dim[] Squeeze(Dim[] shape, long[]? axes)
    {
        if (axes is null)
        {
            return shape.Where(d => d != 1).ToArray();
        }

        var normalized = axes.Select(a => Attrs.NormalizeAxis(a, shape.Length)).ToHashSet();
        if (normalized.Any(a => shape[a] != 1))
        {
            throw new UnsupportedException("Squeeze of a dimension that is not 1");
        }

        return shape.Where((_, i) => !normalized.Contains(i)).ToArray();
    }

    public static Dim[] Unsqueeze(Dim[] shape, long[] axes)
    {
        var rank = shape.Length + axes.Length;
        var normalized = axes.Select(a => Attrs.NormalizeAxis(a, rank)).ToHashSet();
        var result = new Dim[rank];
        var source = 0;
        for (var i = 0; i < rank; i++)
        {
            result[i] = normalized.Contains(i) ? 1 : shape[source++];
        }

        return result;
    }

    /// <summary>An integer input known at compile time: constants, or sizes computed from the input's shape.</summary>
    public static Dim[] LongsInput(BuildContext ctx, OnnxNode node, int index, string what)
    {
        var v = ctx.Optional(node, index) ?? throw new UnsupportedException($"{what} is missing");
        return v.Const?.Longs ?? throw new UnsupportedException($"{what} is not a constant (computed at run time)");
    }

    /// <summary>Axes from an optional input: constants.</summary>
    public static long[]? OptionalAxes(BuildContext ctx, OnnxNode node, int index) =>
        ctx.Optional(node, index) is null ? null : LongsInput(ctx, node, index, "axes").Constants("axes");

    /// <summary>Numpy broadcasting of two shapes.</summary>
    public static Dim[] Broadcast(Dim[] a, Dim[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new Dim[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            var db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            result[i] = da == db || db == 1 ? da : da == 1 ? db : throw new UnsupportedException($"shapes {a.Format()} and {b.Format()} do not broadcast");
        }

        return result;
    }

    /// <summary>Element strides of <paramref name="shape"/> (row-major) aligned to <paramref name="outShape"/>, 0 where broadcast.</summary>
    public static Dim[] BroadcastStrides(Dim[] shape, Dim[] outShape)
    {
        var strides = new Dim[outShape.Length];
        Dim stride = 1;
        for (var i = outShape.Length - 1; i >= 0; i--)
        {
            var j = i - (outShape.Length - shape.Length);
            if (j < 0)
            {
                strides[i] = 0;
                continue;
            }

            strides[i] = shape[j] == 1 && outShape[i] != 1 ? 0 : stride;
            stride *= shape[j];
        }

        return strides;
    }

    /// <summary>Drops size-1 dimensions and merges neighbours every operand walks contiguously; the result has rank ≥ 1.</summary>
    public static (Dim[] Dims, Dim[][] Strides) Coalesce(Dim[] dims, params Dim[][] strides)
    {
        var d = new List<Dim>();
        var s = strides.Select(_ => new List<Dim>()).ToArray();
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] == 1)
            {
                continue;
            }

            var last = d.Count - 1;
            if (last >= 0 && Enumerable.Range(0, strides.Length).All(k => s[k][last] == strides[k][i] * dims[i]))
            {
                d[last] *= dims[i];
                for (var k = 0; k < strides.Length; k++)
                {
                    s[k][last] = strides[k][i];
                }

                continue;
            }

            d.Add(dims[i]);
            for (var k = 0; k < strides.Length; k++)
            {
                s[k].Add(strides[k][i]);
            }
        }

        if (d.Count == 0)
        {
            d.Add(1);
            foreach (var list in s)
            {
                list.Add(0);
            }
        }

        return (d.ToArray(), s.Select(l => l.ToArray()).ToArray());
    }
}

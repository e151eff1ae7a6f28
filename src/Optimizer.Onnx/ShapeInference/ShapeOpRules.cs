namespace Optimizer.Onnx;

/// <summary>Ops that move or re-view elements: Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat, Shape, Gather.</summary>
internal static class ShapeOpRules
{
    public static InferredType Flatten(NodeContext c)
    {
        var x = c.Shape(0);
        if (x is null) return new InferredType(c.ElementType(0), [Dim.Unknown, Dim.Unknown]);
        var axis = c.Int("axis", 1);
        var split = (int)(axis < 0 ? axis + x.Length : axis);
        if (split < 0 || split > x.Length) return new InferredType(c.ElementType(0), [Dim.Unknown, Dim.Unknown]);
        return new InferredType(c.ElementType(0), [ProductDim(x[..split]), ProductDim(x[split..])]);
    }

    /// <summary>Reshape with a constant shape: 0 copies the input dim (unless allowzero), -1 takes what is left.</summary>
    public static InferredType Reshape(NodeContext c)
    {
        var x = c.Shape(0);
        var target = c.Opset < 5 ? c.Ints("shape") : c.ConstantInts(1);
        if (target is null) return new InferredType(c.ElementType(0), null);
        var allowZero = c.Int("allowzero", 0) != 0;
        var dims = new Dim[target.Length];
        for (var i = 0; i < target.Length; i++)
        {
            dims[i] = target[i] switch
            {
                0 when !allowZero => x is not null && i < x.Length ? x[i] : Dim.Unknown,
                -1 => Dim.Unknown,
                var v => Dim.Fixed(v),
            };
        }

        var inferred = Array.IndexOf(target, -1L);
        if (inferred >= 0 && x is not null && DimMath.Product(x) is { } total && DimMath.Product(dims.Where((_, i) => i != inferred)) is { } rest && rest > 0)
        {
            dims[inferred] = Dim.Fixed(total / rest);
        }
        else if (inferred >= 0 && x is not null && dims.Length == x.Length)
        {
            // Keeping every other axis leaves this one equal to the input's (e.g. [batch, -1] on [batch, n]).
            var others = Enumerable.Range(0, x.Length).Where(i => i != inferred);
            if (others.All(i => dims[i] == x[i])) dims[inferred] = x[inferred];
        }

        return new InferredType(c.ElementType(0), dims);
    }

    public static InferredType Transpose(NodeContext c)
    {
        var x = c.Shape(0);
        if (x is null) return new InferredType(c.ElementType(0), null);
        var perm = c.Ints("perm") ?? Enumerable.Range(0, x.Length).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != x.Length || perm.Any(p => p < 0 || p >= x.Length)) return new InferredType(c.ElementType(0), null);
        return new InferredType(c.ElementType(0), perm.Select(p => x[p]).ToArray());
    }

    public static InferredType Squeeze(NodeContext c)
    {
        var x = c.Shape(0);
        if (x is null) return new InferredType(c.ElementType(0), null);
        var axes = c.Axes(1);
        if (axes is null)
        {
            // No axes: every axis of size 1 goes; undecidable when some size is unknown.
            return new InferredType(c.ElementType(0), x.All(d => d.Size is not null) ? x.Where(d => d.Size != 1).ToArray() : null);
        }

        var drop = axes.Select(a => DimMath.NormalizeAxis(a, x.Length)).ToArray();
        if (drop.Any(a => a is null)) return new InferredType(c.ElementType(0), null);
        return new InferredType(c.ElementType(0), x.Where((_, i) => !drop.Contains(i)).ToArray());
    }

    public static InferredType Unsqueeze(NodeContext c)
    {
        var x = c.Shape(0);
        var axes = c.Axes(1);
        if (x is null || axes is null) return new InferredType(c.ElementType(0), null);
        var rank = x.Length + axes.Length;
        var inserted = axes.Select(a => DimMath.NormalizeAxis(a, rank)).ToArray();
        if (inserted.Any(a => a is null)) return new InferredType(c.ElementType(0), null);
        var result = new Dim[rank];
        var next = 0;
        for (var i = 0; i < rank; i++)
        {
            result[i] = inserted.Contains(i) ? Dim.Fixed(1) : x[next++];
        }

        return new InferredType(c.ElementType(0), result);
    }

    public static InferredType Concat(NodeContext c)
    {
        var shapes = Enumerable.Range(0, c.InputCount).Where(c.HasInput).Select(c.Shape).ToArray();
        if (shapes.Length == 0 || shapes.Any(s => s is null) || shapes.Select(s => s!.Length).Distinct().Count() != 1)
        {
            return new InferredType(c.ElementType(0), null);
        }

        var rank = shapes[0]!.Length;
        if (DimMath.NormalizeAxis(c.Int("axis", 0), rank) is not { } axis) return new InferredType(c.ElementType(0), null);
        var result = new Dim[rank];
        for (var i = 0; i < rank; i++)
        {
            result[i] = i == axis
                ? (shapes.All(s => s![i].Size is not null) ? Dim.Fixed(shapes.Sum(s => s![i].Size!.Value)) : Dim.Unknown)
                : shapes.Select(s => s![i]).FirstOrDefault(d => d.Size is not null) ?? shapes[0]![i];
        }

        return new InferredType(c.ElementType(0), result);
    }

    /// <summary>Shape: a 1-D int64 of the input's rank (start/end, opset 15, narrow it).</summary>
    public static InferredType Shape(NodeContext c)
    {
        var rank = c.Input(0).Rank;
        if (rank is null) return new InferredType(TensorElementType.Int64, [Dim.Unknown]);
        var start = ClampAxis(c.Int("start", 0), rank.Value);
        var end = ClampAxis(c.Int("end", rank.Value), rank.Value);
        return new InferredType(TensorElementType.Int64, [Dim.Fixed(Math.Max(0, end - start))]);
    }

    /// <summary>Gather: data[:axis] + indices + data[axis+1:].</summary>
    public static InferredType Gather(NodeContext c)
    {
        var (data, indices) = (c.Shape(0), c.Shape(1));
        if (data is null || indices is null || DimMath.NormalizeAxis(c.Int("axis", 0), data.Length) is not { } axis)
        {
            return new InferredType(c.ElementType(0), null);
        }

        return new InferredType(c.ElementType(0), [.. data[..axis], .. indices, .. data[(axis + 1)..]]);
    }

    /// <summary>ConstantOfShape with a constant shape input (how light/ conformance models store weights).</summary>
    public static InferredType ConstantOfShape(NodeContext c)
    {
        var type = c.Node.FindAttribute("value")?.Tensor?.ElementType ?? TensorElementType.Float;
        return new InferredType(type, c.ConstantInts(0)?.Select(Dim.Fixed).ToArray());
    }

    private static long ClampAxis(long axis, int rank) => Math.Clamp(axis < 0 ? axis + rank : axis, 0, rank);

    private static Dim ProductDim(Dim[] dims) => DimMath.Product(dims) is { } p ? Dim.Fixed(p) : dims.Length == 1 ? dims[0] : Dim.Unknown;
}

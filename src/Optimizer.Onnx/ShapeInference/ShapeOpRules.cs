namespace Optimizer.Onnx;

/// <summary>Ops that move or re-view elements: Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat, Shape, Gather.</summary>
internal static class ShapeOpRules
{
    public static InferredType Flatten(NodeContext c)
    {
        var x = c.Shape(0);
        if (x is null) return new InferredType(c.ElementType(0), [Dim.Unknown, Dim.Unknown]);
        var axis = c.Int("axis", 1);
        // Flatten's axis may also be the rank itself (everything goes to the first dimension).
        if (axis < -x.Length || axis > x.Length)
        {
            throw c.Inconsistent("attribute 'axis'", $"axis {axis} is outside [-{x.Length}, {x.Length}] for rank {x.Length}");
        }

        var split = (int)(axis < 0 ? axis + x.Length : axis);
        return new InferredType(c.ElementType(0), [ProductDim(x[..split]), ProductDim(x[split..])]);
    }

    /// <summary>Reshape with a constant shape: 0 copies the input dim (unless allowzero), -1 takes what is left.</summary>
    public static InferredType Reshape(NodeContext c)
    {
        var x = c.Shape(0);
        var target = c.Opset < 5 ? c.Ints("shape") : c.ConstantInts(1);
        if (target is null) return new InferredType(c.ElementType(0), null);
        var allowZero = c.Int("allowzero", 0) != 0;
        CheckReshapeTarget(c, target, allowZero);
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
            if (total % rest != 0)
            {
                throw c.Inconsistent("input shapes", $"{total} elements cannot be reshaped into [{string.Join(",", target)}]: the other axes hold {rest}");
            }

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
        if (c.Ints("perm") is not { } perm) return new InferredType(c.ElementType(0), Enumerable.Reverse(x).ToArray());
        if (perm.Length != x.Length)
        {
            throw c.Inconsistent("attribute 'perm'", $"it has {perm.Length} entries but the input has rank {x.Length}");
        }

        if (perm.Any(p => p < 0))
        {
            throw c.Inconsistent("attribute 'perm'", $"[{string.Join(",", perm)}] has a negative entry");
        }

        return new InferredType(c.ElementType(0), c.DistinctAxes("attribute 'perm'", perm, x.Length).Select(p => x[p]).ToArray());
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

        var drop = c.DistinctAxes(AxesSource(c), axes, x.Length);
        return new InferredType(c.ElementType(0), x.Where((_, i) => !drop.Contains(i)).ToArray());
    }

    public static InferredType Unsqueeze(NodeContext c)
    {
        var x = c.Shape(0);
        var axes = c.Axes(1);
        if (x is null || axes is null) return new InferredType(c.ElementType(0), null);
        var rank = checked(x.Length + axes.Length);
        var inserted = c.DistinctAxes(AxesSource(c), axes, rank);
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
        var axis = c.DistinctAxes("attribute 'axis'", [c.Int("axis", 0)], rank)[0];
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
        if (data is null || indices is null) return new InferredType(c.ElementType(0), null);
        var axis = c.DistinctAxes("attribute 'axis'", [c.Int("axis", 0)], data.Length)[0];
        return new InferredType(c.ElementType(0), [.. data[..axis], .. indices, .. data[(axis + 1)..]]);
    }

    /// <summary>ConstantOfShape with a constant shape input (how light/ conformance models store weights).</summary>
    public static InferredType ConstantOfShape(NodeContext c)
    {
        var type = c.Node.FindAttribute("value")?.Tensor?.ElementType ?? TensorElementType.Float;
        var shape = c.ConstantInts(0);
        if (shape?.FirstOrDefault(d => d < 0) is < 0 and var negative)
        {
            throw c.Inconsistent("input shapes", $"the shape input asks for a dimension of {negative}");
        }

        return new InferredType(type, shape?.Select(Dim.Fixed).ToArray());
    }

    /// <summary>Reshape's target: at most one -1, nothing below -1, and no -1 beside a literal 0 under allowzero.</summary>
    private static void CheckReshapeTarget(NodeContext c, long[] target, bool allowZero)
    {
        var what = c.Opset < 5 ? "attribute 'shape'" : "input shapes";
        var shown = $"[{string.Join(",", target)}]";
        if (target.Any(d => d < -1)) throw c.Inconsistent(what, $"the target shape {shown} has a dimension below -1");
        if (target.Count(d => d == -1) > 1) throw c.Inconsistent(what, $"the target shape {shown} has more than one -1");
        if (allowZero && target.Contains(-1) && target.Contains(0))
        {
            throw c.Inconsistent(what, $"the target shape {shown} has both -1 and 0 with allowzero=1, so the -1 cannot be worked out");
        }
    }

    private static string AxesSource(NodeContext c) => c.Ints("axes") is not null ? "attribute 'axes'" : "axes input";

    private static long ClampAxis(long axis, int rank) => Math.Clamp(axis < 0 ? axis + rank : axis, 0, rank);

    private static Dim ProductDim(Dim[] dims) => DimMath.Product(dims) is { } p ? Dim.Fixed(p) : dims.Length == 1 ? dims[0] : Dim.Unknown;
}

using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup.Folding;

/// <summary>Folding rules that only move elements: Identity, Reshape, Squeeze, Unsqueeze, Concat, Transpose, Gather, Slice.</summary>
internal static class MovementFolds
{
    public static ConstantValue Identity(FoldContext c) => c.Input(0);

    public static ConstantValue Reshape(FoldContext c)
    {
        var data = c.Input(0);
        var target = (c.Opset < 5 ? c.Ints("shape") : c.Input(1).AsInt64s()) ?? throw new FoldingNotPossible("the target shape is missing");
        var allowZero = c.Int("allowzero", 0) != 0;
        var dims = target.Select((d, i) => d == 0 && !allowZero ? (i < data.Dims.Length ? data.Dims[i] : throw new FoldingNotPossible("shape 0 copies a missing axis")) : d).ToArray();
        var inferred = Array.IndexOf(dims, -1L);
        if (inferred >= 0)
        {
            var rest = ConstantValue.Product(dims.Where((_, i) => i != inferred));
            dims[inferred] = rest == 0 ? 0 : data.Count / rest;
        }

        return ConstantValue.Product(dims) == data.Count ? data.WithDims(dims) : throw new FoldingNotPossible($"shape [{string.Join(",", target)}] does not fit {data.Count} elements");
    }

    public static ConstantValue Squeeze(FoldContext c)
    {
        var data = c.Input(0);
        var axes = c.IntsFromAttributeOrInput("axes", 1);
        var rank = data.Dims.Length;
        var drop = axes is null ? Enumerable.Range(0, rank).Where(i => data.Dims[i] == 1).ToHashSet() : axes.Select(a => FoldContext.Axis(a, rank)).ToHashSet();
        return data.WithDims(data.Dims.Where((_, i) => !drop.Contains(i)).ToArray());
    }

    public static ConstantValue Unsqueeze(FoldContext c)
    {
        var data = c.Input(0);
        var axes = c.IntsFromAttributeOrInput("axes", 1) ?? throw new FoldingNotPossible("axes are missing");
        var rank = data.Dims.Length + axes.Length;
        var inserted = axes.Select(a => FoldContext.Axis(a, rank)).ToHashSet();
        var dims = new long[rank];
        var next = 0;
        for (var i = 0; i < rank; i++)
        {
            dims[i] = inserted.Contains(i) ? 1 : data.Dims[next++];
        }

        return data.WithDims(dims);
    }

    public static ConstantValue Concat(FoldContext c)
    {
        var parts = Enumerable.Range(0, c.InputCount).Select(c.Optional).OfType<ConstantValue>().ToArray();
        var rank = parts[0].Dims.Length;
        var axis = FoldContext.Axis(c.Int("axis", 0), rank);
        if (parts.Any(p => p.Dims.Length != rank || p.IsReal != parts[0].IsReal)) throw new FoldingNotPossible("inputs differ in rank or type");
        var dims = parts[0].Dims.ToArray();
        dims[axis] = 0;
        foreach (var part in parts)
        {
            var size = part.Dims[axis];
            dims[axis] = size >= 0 && dims[axis] <= long.MaxValue - size ? dims[axis] + size : throw new FoldingNotPossible("the concatenated axis is negative or overflows");
        }

        var count = ConstantValue.Product(dims);
        CleanupLimits.CheckSize(count);
        if (count == 0) return ConstantValue.Of(parts[0].ElementType, dims, parts[0].IsReal ? [] : null, parts[0].IsReal ? null : []);
        var outer = (int)ConstantValue.Product(parts[0].Dims.Take(axis));
        var sources = new List<(ConstantValue Part, int Index)>();
        for (var o = 0; o < outer; o++)
        {
            foreach (var part in parts)
            {
                var block = (int)ConstantValue.Product(part.Dims.Skip(axis));
                sources.AddRange(Enumerable.Range(o * block, block).Select(i => (part, i)));
            }
        }

        return ConstantValue.Of(parts[0].ElementType, dims,
            parts[0].IsReal ? sources.Select(s => s.Part.Reals![s.Index]).ToArray() : null,
            parts[0].IsReal ? null : sources.Select(s => s.Part.Integers![s.Index]).ToArray());
    }

    public static ConstantValue Transpose(FoldContext c)
    {
        var data = c.Input(0);
        var rank = data.Dims.Length;
        var perm = c.Ints("perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        var dims = perm.Select(p => data.Dims[p]).ToArray();
        var inStrides = ConstantValue.Strides(data.Dims);
        return data.Take(dims, MapIndices(dims, (index, coord) => coord.Select((x, i) => x * inStrides[perm[i]]).Sum()));
    }

    public static ConstantValue Gather(FoldContext c)
    {
        var data = c.Input(0);
        var indices = c.Input(1).AsInt64s();
        var indexDims = c.Input(1).Dims;
        var axis = FoldContext.Axis(c.Int("axis", 0), data.Dims.Length);
        var axisSize = data.Dims[axis];
        var normalized = indices.Select(i => i < 0 ? i + axisSize : i).ToArray();
        if (normalized.Any(i => i < 0 || i >= axisSize)) throw new FoldingNotPossible("an index is out of range");
        var dims = data.Dims[..axis].Concat(indexDims).Concat(data.Dims[(axis + 1)..]).ToArray();
        var inStrides = ConstantValue.Strides(data.Dims);
        var indexStrides = ConstantValue.Strides(indexDims);
        return data.Take(dims, MapIndices(dims, (_, coord) =>
        {
            long offset = 0;
            for (var i = 0; i < axis; i++) offset += coord[i] * inStrides[i];
            long flatIndex = 0;
            for (var i = 0; i < indexDims.Length; i++) flatIndex += coord[axis + i] * indexStrides[i];
            offset += normalized[flatIndex] * inStrides[axis];
            for (var i = axis + 1; i < data.Dims.Length; i++) offset += coord[i + indexDims.Length - 1] * inStrides[i];
            return offset;
        }));
    }

    public static ConstantValue Slice(FoldContext c)
    {
        var data = c.Input(0);
        var rank = data.Dims.Length;
        var legacy = c.Opset < 10;
        var starts = (legacy ? c.Ints("starts") : c.Input(1).AsInt64s()) ?? throw new FoldingNotPossible("starts are missing");
        var ends = (legacy ? c.Ints("ends") : c.Input(2).AsInt64s()) ?? throw new FoldingNotPossible("ends are missing");
        var axes = (legacy ? c.Ints("axes") : c.Optional(3)?.AsInt64s()) ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = (legacy ? null : c.Optional(4)?.AsInt64s()) ?? Enumerable.Repeat(1L, starts.Length).ToArray();
        var begin = new long[rank];
        var step = Enumerable.Repeat(1L, rank).ToArray();
        var dims = data.Dims.ToArray();
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = FoldContext.Axis(axes[i], rank);
            var size = data.Dims[axis];
            if (steps[i] == 0) throw new FoldingNotPossible("a step is 0");
            var (s, e) = (Clamp(starts[i], size, steps[i]), Clamp(ends[i], size, steps[i]));
            begin[axis] = s;
            step[axis] = steps[i];
            dims[axis] = Math.Max(0, steps[i] > 0 ? (e - s + steps[i] - 1) / steps[i] : (s - e - steps[i] - 1) / -steps[i]);
        }

        var inStrides = ConstantValue.Strides(data.Dims);
        return data.Take(dims, MapIndices(dims, (_, coord) => coord.Select((x, i) => (begin[i] + x * step[i]) * inStrides[i]).Sum()));
    }

    /// <summary>ONNX Slice clamping: negative counts from the end; forward steps clamp to [0, size], backward to [-1, size-1].</summary>
    private static long Clamp(long index, long size, long step)
    {
        if (index < 0) index += size;
        return step > 0 ? Math.Clamp(index, 0, size) : Math.Clamp(index, -1, size - 1);
    }

    /// <summary>For each output position (row-major over <paramref name="dims"/>), the flat source index.</summary>
    internal static int[] MapIndices(long[] dims, Func<long, long[], long> source)
    {
        var count = ConstantValue.Product(dims);
        CleanupLimits.CheckSize(count); // before allocating: a broadcast or Gather of small inputs can describe a huge result
        var result = new int[count];
        var coord = new long[dims.Length];
        for (long index = 0; index < count; index++)
        {
            result[index] = (int)source(index, coord);
            for (var axis = dims.Length - 1; axis >= 0; axis--)
            {
                if (++coord[axis] < dims[axis]) break;
                coord[axis] = 0;
            }
        }

        return result;
    }
}

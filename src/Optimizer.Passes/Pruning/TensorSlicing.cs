namespace Optimizer.Passes.Pruning;

/// <summary>Index selection along one axis of a row-major tensor (numpy's <c>take</c>).</summary>
internal static class TensorSlicing
{
    public static (long[] Dims, float[] Values) Take(float[] values, IReadOnlyList<long> dims, int axis, int[] keep)
    {
        var outer = dims.Take(axis).Aggregate(1L, (a, d) => a * d);
        var length = dims[axis];
        var inner = (int)dims.Skip(axis + 1).Aggregate(1L, (a, d) => a * d);
        var result = new float[outer * keep.Length * inner];
        var at = 0;
        for (long o = 0; o < outer; o++)
        {
            foreach (var k in keep)
            {
                Array.Copy(values, (o * length + k) * inner, result, at, inner);
                at += inner;
            }
        }

        var newDims = dims.ToArray();
        newDims[axis] = keep.Length;
        return (newDims, result);
    }
}

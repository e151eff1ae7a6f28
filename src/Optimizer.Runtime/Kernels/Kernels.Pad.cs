namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Pads x (<paramref name="inDims"/>) into y (<paramref name="outDims"/>, rank ≤ 6, the innermost
    /// last): y's index i along a dimension reads x at i − <paramref name="begins"/>, and outside x
    /// <paramref name="mode"/> 0 writes <paramref name="value"/>, 1 reflects (no edge repeat), 2 repeats the edge.
    /// A negative begin crops.
    /// </summary>
    public static void Pad(ReadOnlySpan<float> x, Span<float> y, int mode, int rank, ReadOnlySpan<int> inDims, ReadOnlySpan<int> outDims,
        ReadOnlySpan<int> begins, float value)
    {
        Span<int> inStrides = stackalloc int[MaxRank];
        var stride = 1;
        for (var d = rank - 1; d >= 0; d--)
        {
            inStrides[d] = stride;
            stride *= inDims[d];
        }

        var inner = outDims[rank - 1];
        var rows = RowCount(rank, outDims);
        for (var r = 0; r < rows; r++)
        {
            var dst = y.Slice(r * inner, inner);
            var from = 0;
            var inside = true;
            var rest = r;
            for (var d = rank - 2; d >= 0; d--)
            {
                var source = PadSource(rest % outDims[d] - begins[d], inDims[d], mode);
                rest /= outDims[d];
                inside &= source >= 0;
                from += source * inStrides[d];
            }

            for (var i = 0; i < inner; i++)
            {
                var source = PadSource(i - begins[rank - 1], inDims[rank - 1], mode);
                dst[i] = inside && source >= 0 ? x[from + source] : value;
            }
        }
    }

    /// <summary>The index in x a padded position reads, or −1 for the constant.</summary>
    private static int PadSource(int i, int length, int mode)
    {
        if (i >= 0 && i < length)
        {
            return i;
        }

        switch (mode)
        {
            case 1 when length > 1:
                var period = 2 * (length - 1);
                i = ((i % period) + period) % period;
                return i < length ? i : period - i;
            case 1 or 2:
                return Math.Clamp(i, 0, length - 1);
            default:
                return -1;
        }
    }
}

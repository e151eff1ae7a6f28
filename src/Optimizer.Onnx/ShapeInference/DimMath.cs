namespace Optimizer.Onnx;

/// <summary>Arithmetic on dimensions that may be fixed, symbolic or unknown.</summary>
internal static class DimMath
{
    /// <summary>Numpy-style broadcast of two dimensions; unknown when it cannot be decided statically.</summary>
    public static Dim Broadcast(Dim a, Dim b)
    {
        if (a.Size == 1) return b;
        if (b.Size == 1) return a;
        if (a.Size is { } x && b.Size is { } y) return x == y ? a : Dim.Unknown;
        if (a.Symbol is not null && a.Symbol == b.Symbol) return a;
        // A fixed size other than 1 wins over a symbol: the symbol must bind to it (or be 1).
        if (a.Size is not null) return a;
        if (b.Size is not null) return b;
        return Dim.Unknown;
    }

    /// <summary>Broadcasts whole shapes, aligning trailing axes; null if any rank is unknown.</summary>
    public static Dim[]? Broadcast(IEnumerable<Dim[]?> shapes)
    {
        Dim[] result = [];
        foreach (var shape in shapes)
        {
            if (shape is null) return null;
            var rank = Math.Max(result.Length, shape.Length);
            var merged = new Dim[rank];
            for (var i = 0; i < rank; i++)
            {
                var a = i - (rank - result.Length) is var ia && ia >= 0 ? result[ia] : Dim.Fixed(1);
                var b = i - (rank - shape.Length) is var ib && ib >= 0 ? shape[ib] : Dim.Fixed(1);
                merged[i] = Broadcast(a, b);
            }

            result = merged;
        }

        return result;
    }

    /// <summary>Product of fixed dimensions, or null when any is not fixed.</summary>
    /// <exception cref="OverflowException">The product does not fit in 64 bits.</exception>
    public static long? Product(IEnumerable<Dim> dims)
    {
        long product = 1;
        foreach (var d in dims)
        {
            if (d.Size is not { } size) return null;
            product = checked(product * size);
        }

        return product;
    }

    /// <summary>
    /// Elements of a tensor with these dimensions: null when one is negative, <see cref="long.MaxValue"/>
    /// when the product does not fit in 64 bits (so any size limit refuses it).
    /// </summary>
    public static long? ElementCount(IEnumerable<long> dims)
    {
        long count = 1;
        var (empty, saturated) = (false, false);
        foreach (var d in dims)
        {
            if (d < 0) return null;
            if (d == 0) empty = true;
            else if (saturated || count > long.MaxValue / d) saturated = true;
            else count *= d;
        }

        return empty ? 0 : saturated ? long.MaxValue : count;
    }

    public static Dim Map(Dim d, Func<long, long> f) => d.Size is { } s ? Dim.Fixed(f(s)) : Dim.Unknown;

    /// <summary>Rounds the quotient towards negative infinity (integer division rounds towards zero).</summary>
    public static long FloorDivide(long dividend, long divisor)
    {
        var quotient = dividend / divisor;
        return (dividend % divisor != 0 && (dividend < 0) != (divisor < 0)) ? quotient - 1 : quotient;
    }

    /// <summary>A negative axis counts from the end; null when out of range.</summary>
    public static int? NormalizeAxis(long axis, int rank)
    {
        var a = axis < 0 ? axis + rank : axis;
        return a >= 0 && a < rank ? (int)a : null;
    }
}

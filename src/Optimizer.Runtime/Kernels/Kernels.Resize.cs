namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Resizes the last two axes of x <c>[outer, inH, inW]</c> into y <c>[outer, outH, outW]</c> as a
    /// separable filter of <paramref name="taps"/> taps per axis (1 nearest, 2 linear, 4 cubic):
    /// output row h reads input rows <paramref name="rowIndex"/>[h·taps + t] weighted by
    /// <paramref name="rowWeight"/>[h·taps + t], the same for columns. The tables (coordinate mode,
    /// rounding, cubic coefficient, edge handling) are computed at compile time.
    /// </summary>
    public static void Resize(ReadOnlySpan<float> x, ReadOnlySpan<int> rowIndex, ReadOnlySpan<float> rowWeight, ReadOnlySpan<int> colIndex,
        ReadOnlySpan<float> colWeight, Span<float> y, int outer, int inH, int inW, int outH, int outW, int taps)
    {
        for (var o = 0; o < outer; o++)
        {
            var src = x.Slice(o * inH * inW, inH * inW);
            var dst = y.Slice(o * outH * outW, outH * outW);
            for (var h = 0; h < outH; h++)
            {
                for (var w = 0; w < outW; w++)
                {
                    var sum = 0f;
                    for (var i = 0; i < taps; i++)
                    {
                        var line = src.Slice(rowIndex[h * taps + i] * inW, inW);
                        var across = 0f;
                        for (var j = 0; j < taps; j++)
                        {
                            across += colWeight[w * taps + j] * line[colIndex[w * taps + j]];
                        }

                        sum += rowWeight[h * taps + i] * across;
                    }

                    dst[h * outW + w] = sum;
                }
            }
        }
    }
}

namespace Optimizer.Compiler.Build;

/// <summary>
/// Resize's per-axis sampling tables, computed at compile time as the ONNX reference does: for each
/// output coordinate the input indices it reads (clamped to the edge) and their weights.
/// </summary>
internal static class ResizeTables
{
    public sealed record Options(string Mode, string CoordinateMode, string NearestMode, double CubicCoefficient, bool ExcludeOutside);

    /// <summary>Taps per output coordinate of a mode.</summary>
    public static int Taps(string mode) => mode switch
    {
        "nearest" => 1,
        "linear" => 2,
        "cubic" => 4,
        _ => throw new UnsupportedException($"Resize mode '{mode}'"),
    };

    /// <summary>The (index, weight) tables of one axis: <paramref name="outSize"/> × taps entries each.</summary>
    public static (int[] Index, float[] Weight) Axis(long inSize, long outSize, double scale, Options options)
    {
        var taps = Taps(options.Mode);
        var index = new int[outSize * taps];
        var weight = new float[outSize * taps];
        for (var o = 0; o < outSize; o++)
        {
            var x = Original(o, inSize, outSize, scale, options.CoordinateMode);
            if (taps == 1)
            {
                index[o] = (int)Math.Clamp(Nearest(x, options.NearestMode), 0, inSize - 1);
                weight[o] = 1f;
                continue;
            }

            var floor = Math.Floor(x);
            var ratio = x - floor;
            var coefficients = taps == 2 ? [1 - ratio, ratio] : Cubic(ratio, options.CubicCoefficient);
            var first = (long)floor - (taps == 2 ? 0 : 1);
            double sum = 0;
            for (var t = 0; t < taps; t++)
            {
                var i = first + t;
                var outside = i < 0 || i >= inSize;
                var c = options.ExcludeOutside && outside ? 0 : coefficients[t];
                index[o * taps + t] = (int)Math.Clamp(i, 0, inSize - 1);
                weight[o * taps + t] = (float)c;
                sum += c;
            }

            if (options.ExcludeOutside && sum != 0)
            {
                for (var t = 0; t < taps; t++)
                {
                    weight[o * taps + t] = (float)(weight[o * taps + t] / sum);
                }
            }
        }

        return (index, weight);
    }

    /// <summary>The whole factor k when a nearest table maps every output o to input ⌊o / k⌋ (pixels repeated), else null.</summary>
    public static long? Repeat(int[] index, long inSize)
    {
        if (inSize == 0 || index.Length % inSize != 0)
        {
            return null;
        }

        var k = index.Length / inSize;
        return index.Select((i, o) => i == o / k).All(same => same) ? k : null;
    }

    /// <summary>
    /// The input coordinate output coordinate <paramref name="o"/> maps to; the resized length is
    /// scale · in, not rounded (what the reference does when scales are given).
    /// </summary>
    private static double Original(long o, long inSize, long outSize, double scale, string mode) => mode switch
    {
        "half_pixel" => (o + 0.5) / scale - 0.5,
        "pytorch_half_pixel" => scale * inSize > 1 ? (o + 0.5) / scale - 0.5 : 0,
        "align_corners" => scale * inSize == 1 ? 0 : o * (inSize - 1) / (scale * inSize - 1),
        "asymmetric" => o / scale,
        "half_pixel_symmetric" => inSize / 2.0 * (1 - outSize / (scale * inSize)) + (o + 0.5) / scale - 0.5,
        _ => throw new UnsupportedException($"Resize coordinate_transformation_mode '{mode}'"),
    };

    private static double Nearest(double x, string mode) => mode switch
    {
        "round_prefer_floor" => x - Math.Floor(x) == 0.5 ? Math.Floor(x) : Math.Round(x),
        "round_prefer_ceil" => x - Math.Floor(x) == 0.5 ? Math.Ceiling(x) : Math.Round(x),
        "floor" => Math.Floor(x),
        "ceil" => Math.Ceiling(x),
        _ => throw new UnsupportedException($"Resize nearest_mode '{mode}'"),
    };

    private static double[] Cubic(double r, double a) =>
    [
        ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
        ((a + 2) * r - (a + 3)) * r * r + 1,
        ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
        ((a * (2 - r) - 5 * a) * (2 - r) + 8 * a) * (2 - r) - 4 * a,
    ];
}

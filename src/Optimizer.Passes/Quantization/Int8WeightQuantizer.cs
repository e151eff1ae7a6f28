namespace Optimizer.Passes.Quantization;

/// <summary>A [K, N] weight quantized to symmetric int8 (zero point 0), with one scale per column or one in all.</summary>
/// <param name="Values">Quantized weights, [K, N] row-major.</param>
/// <param name="Scales">One scale per output column (N), or a single scale.</param>
/// <param name="RelativeRmse">Root-mean-square dequantization error divided by the weights' RMS.</param>
internal sealed record QuantizedWeight(sbyte[] Values, float[] Scales, double RelativeRmse);

/// <summary>Symmetric int8 quantization of a float weight matrix.</summary>
internal static class Int8WeightQuantizer
{
    /// <summary>
    /// Quantizes <paramref name="weights"/> ([K, N] row-major) as q = round(w / s), s = max|w| / qmax,
    /// per column N when <paramref name="perChannel"/>. <paramref name="reduceRange"/> uses 7 bits
    /// (qmax 63): x86 CPUs without VNNI multiply uint8×int8 pairs into saturating int16, which
    /// full-range weights can overflow.
    /// </summary>
    public static QuantizedWeight Quantize(float[] weights, int k, int n, bool perChannel, bool reduceRange)
    {
        var qmax = reduceRange ? 63f : 127f;
        var scales = new float[perChannel ? n : 1];
        AddAbsMax(weights, scales, perChannel, n);
        ToScales(scales, qmax);
        var values = new sbyte[weights.Length];
        double errorSquares = 0, weightSquares = 0;
        QuantizeRows(weights, values, scales, perChannel, n, qmax, ref errorSquares, ref weightSquares);
        var relativeRmse = weightSquares > 0 ? Math.Sqrt(errorSquares / weightSquares) : 0;
        return new QuantizedWeight(values, scales, relativeRmse);
    }

    /// <summary>Raises each column's (or the one) entry of <paramref name="absMax"/> to the largest magnitude in whole rows of <paramref name="values"/>.</summary>
    internal static void AddAbsMax(ReadOnlySpan<float> values, float[] absMax, bool perChannel, int n)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var column = perChannel ? i % n : 0;
            absMax[column] = Math.Max(absMax[column], Math.Abs(values[i]));
        }
    }

    /// <summary>Magnitudes → scales, in place.</summary>
    internal static void ToScales(float[] absMax, float qmax)
    {
        for (var c = 0; c < absMax.Length; c++)
        {
            // An all-zero column quantizes to zeros under any scale; 1 keeps the Mul harmless.
            absMax[c] = absMax[c] > 0 ? absMax[c] / qmax : 1f;
        }
    }

    /// <summary>Quantizes whole rows of <paramref name="values"/> into <paramref name="output"/>, adding to the error sums (in index order).</summary>
    internal static void QuantizeRows(ReadOnlySpan<float> values, Span<sbyte> output, float[] scales, bool perChannel, int n, float qmax,
        ref double errorSquares, ref double weightSquares)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var scale = scales[perChannel ? i % n : 0];
            var q = Math.Clamp(MathF.Round(values[i] / scale, MidpointRounding.ToEven), -qmax, qmax);
            output[i] = (sbyte)q;
            var error = values[i] - q * scale;
            errorSquares += error * error;
            weightSquares += (double)values[i] * values[i];
        }
    }

    /// <summary>
    /// Quantizes a [rows, width] table with one symmetric full-range scale per row (embedding
    /// tables: no integer GEMM reads them, so no 7-bit limit), in place of its layout: no transposed copies.
    /// </summary>
    public static QuantizedWeight QuantizeRows(float[] table, int rows, int width)
    {
        const float qmax = 127f;
        var values = new sbyte[table.Length];
        var scales = new float[rows];
        double errorSquares = 0, weightSquares = 0;
        for (var r = 0; r < rows; r++)
        {
            var row = table.AsSpan(r * width, width);
            var absMax = 0f;
            foreach (var v in row)
            {
                absMax = Math.Max(absMax, Math.Abs(v));
            }

            // An all-zero row quantizes to zeros under any scale; 1 keeps the Mul harmless.
            var scale = scales[r] = absMax > 0 ? absMax / qmax : 1f;
            for (var c = 0; c < width; c++)
            {
                var q = Math.Clamp(MathF.Round(row[c] / scale, MidpointRounding.ToEven), -qmax, qmax);
                values[r * width + c] = (sbyte)q;
                var error = row[c] - q * scale;
                errorSquares += error * error;
                weightSquares += (double)row[c] * row[c];
            }
        }

        return new QuantizedWeight(values, scales, weightSquares > 0 ? Math.Sqrt(errorSquares / weightSquares) : 0);
    }

    /// <summary>[rows, columns] row-major → [columns, rows] row-major.</summary>
    public static T[] Transpose<T>(T[] matrix, int rows, int columns)
    {
        var result = new T[matrix.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[c * rows + r] = matrix[r * columns + c];
            }
        }

        return result;
    }
}

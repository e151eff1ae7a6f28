namespace Optimizer.Passes.Quantization;

/// <summary>
/// The int8 and 4-bit weight quantizers over <see cref="WeightRows"/>: the same arithmetic as
/// <see cref="Int8WeightQuantizer.Quantize"/> and <see cref="Int4BlockQuantizer.Quantize"/> in the same order
/// (so the same bytes), with the weight read a block of rows at a time instead of held whole.
/// </summary>
internal static class StreamedWeightQuantizer
{
    /// <summary>A MatMul weight [K, N] (not transposed) to int8, per column or per tensor: column maxima in one pass, values in a second.</summary>
    public static QuantizedWeight Int8(WeightRows weight, bool perChannel, bool reduceRange)
    {
        var n = weight.Columns;
        var qmax = reduceRange ? 63f : 127f;
        var scales = new float[perChannel ? n : 1];
        var rowsPerBlock = weight.DefaultRowsPerBlock;
        weight.ForEachBlock(rowsPerBlock, (_, _, values) => Int8WeightQuantizer.AddAbsMax(values, scales, perChannel, n));
        Int8WeightQuantizer.ToScales(scales, qmax);
        var quantized = new sbyte[(long)weight.Rows * n];
        double errorSquares = 0, weightSquares = 0;
        weight.ForEachBlock(rowsPerBlock, (first, _, values) => Int8WeightQuantizer.QuantizeRows(
            values, quantized.AsSpan(first * n, values.Length), scales, perChannel, n, qmax, ref errorSquares, ref weightSquares));
        return new QuantizedWeight(quantized, scales, weightSquares > 0 ? Math.Sqrt(errorSquares / weightSquares) : 0);
    }

    /// <summary>
    /// A weight to MatMulNBits blocks: [N, K] (<paramref name="transposed"/>, a Gemm's transB) row by row, or
    /// [K, N] a block of K rows at a time, each column's slice of the block being one 4-bit block.
    /// </summary>
    public static Int4Weight Int4(WeightRows weight, bool transposed, int blockSize, bool symmetric)
    {
        if (transposed)
        {
            var k = weight.Columns;
            var rowBlocks = new Int4Blocks(weight.Rows, k, blockSize, symmetric);
            weight.ForEachBlock(weight.DefaultRowsPerBlock, (first, count, values) =>
            {
                for (var r = 0; r < count; r++)
                {
                    rowBlocks.AddRow(first + r, values.Slice(r * k, k));
                }
            });
            return rowBlocks.Result();
        }

        var n = weight.Columns;
        var blocks = new Int4Blocks(n, weight.Rows, blockSize, symmetric);
        var slice = new float[blockSize];
        weight.ForEachBlock(blockSize, (first, count, values) =>
        {
            for (var column = 0; column < n; column++)
            {
                for (var r = 0; r < count; r++)
                {
                    slice[r] = values[r * n + column];
                }

                blocks.Add(column, first / blockSize, slice.AsSpan(0, count));
            }
        });
        return blocks.Result();
    }
}

using System.Runtime.InteropServices;
using Optimizer.Onnx;

namespace Optimizer.Passes.Quantization;

/// <summary>Called with consecutive rows of a weight: the first row's index, how many rows, and their values row-major.</summary>
internal delegate void RowBlockAction(int firstRow, int rowCount, ReadOnlySpan<float> values);

/// <summary>
/// A 2-D float32 weight read a block of rows at a time (<see cref="OnnxTensor.ReadRawBytes"/>), so a pass
/// quantizes a weight of any size — one that stayed in its external-data file included — holding only one
/// block of floats and its output, never the whole float tensor or a transposed copy.
/// </summary>
internal sealed class WeightRows(OnnxTensor weight)
{
    /// <summary>Weights from this size stream even when their bytes are in memory: a float copy and a transposed one would triple their peak.</summary>
    public const long StreamingBytes = 64L << 20;

    /// <summary>Bytes read per block when the caller does not need a row count of its own.</summary>
    private const int BlockBytes = 4 << 20;

    public int Rows { get; } = (int)weight.Dims[0];

    public int Columns { get; } = (int)weight.Dims[1];

    /// <summary>Whether a pass should quantize <paramref name="tensor"/> through this class.</summary>
    public static bool ShouldStream(OnnxTensor tensor) => tensor.StaysInFile || tensor.RawByteCount >= StreamingBytes;

    /// <summary>Rows per block that keep a block near 4 MiB.</summary>
    public int DefaultRowsPerBlock => Math.Max(1, BlockBytes / 4 / Columns);

    /// <summary>Visits every row in order, <paramref name="rowsPerBlock"/> at a time (the last block may be shorter).</summary>
    public void ForEachBlock(int rowsPerBlock, RowBlockAction action)
    {
        // Raw data is little-endian, as every platform .NET runs these passes on.
        var buffer = new float[(long)rowsPerBlock * Columns];
        var rowBytes = (long)Columns * sizeof(float);
        for (var first = 0; first < Rows; first += rowsPerBlock)
        {
            var count = Math.Min(rowsPerBlock, Rows - first);
            var values = buffer.AsSpan(0, count * Columns);
            weight.ReadRawBytes(first * rowBytes, MemoryMarshal.AsBytes(values));
            action(first, count, values);
        }
    }
}

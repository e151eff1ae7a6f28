// Block-wise 4-bit weights in com.microsoft MatMulNBits layout (ORT contrib op spec):
// - the weight is viewed as N rows of K values (one row per output column), K padded with zeros
//   up to whole blocks of BlockSize;
// - B: uint8 [N, blocks, BlockSize/2], two values per byte, element 2j in the low nibble;
// - scales: float [N·blocks]; zero_points: uint8 [N·ceil(blocks/2)], packed the same way.
// Asymmetric blocks map [min(0, lo), max(0, hi)] onto 0..15 (the zero point says where 0 is);
// symmetric blocks map [-absmax, absmax] onto -8..7 with zero point 8, as ORT does when
// zero_points is omitted.

namespace Optimizer.Passes.Quantization;

/// <summary>A weight packed for MatMulNBits.</summary>
internal sealed record Int4Weight(byte[] Packed, float[] Scales, byte[]? ZeroPoints, int BlocksPerRow, double RelativeRmse);

/// <summary>Quantizes an [N, K] weight (row = output column) to 4-bit blocks.</summary>
internal static class Int4BlockQuantizer
{
    public static Int4Weight Quantize(float[] nByK, int n, int k, int blockSize, bool symmetric)
    {
        var blocks = new Int4Blocks(n, k, blockSize, symmetric);
        for (var row = 0; row < n; row++)
        {
            blocks.AddRow(row, nByK.AsSpan(row * k, k));
        }

        return blocks.Result();
    }
}

/// <summary>
/// The packed output of <see cref="Int4BlockQuantizer"/>, filled one block at a time in any order (the
/// streamed quantizer visits a [K, N] weight block row by block row).
/// </summary>
internal sealed class Int4Blocks
{
    private readonly int _k, _blockSize, _blocks;
    private readonly bool _symmetric;
    private readonly byte[] _packed;
    private readonly float[] _scales;
    private readonly byte[]? _zeroPoints;
    private readonly byte[] _codes;
    private double _errorSquares, _weightSquares;

    public Int4Blocks(int n, int k, int blockSize, bool symmetric)
    {
        (_k, _blockSize, _symmetric) = (k, blockSize, symmetric);
        _blocks = (k + blockSize - 1) / blockSize;
        _packed = new byte[(long)n * _blocks * blockSize / 2];
        _scales = new float[(long)n * _blocks];
        _zeroPoints = symmetric ? null : new byte[(long)n * ((_blocks + 1) / 2)];
        _codes = new byte[blockSize];
    }

    /// <summary>Every block of one row of K values.</summary>
    public void AddRow(int row, ReadOnlySpan<float> values)
    {
        for (var block = 0; block < _blocks; block++)
        {
            var start = block * _blockSize;
            Add(row, block, values.Slice(start, Math.Min(_blockSize, _k - start)));
        }
    }

    /// <summary>One block: the values of <paramref name="row"/> from K = <paramref name="block"/> × BlockSize on.</summary>
    public void Add(int row, int block, ReadOnlySpan<float> values)
    {
        var (scale, zeroPoint) = Parameters(values, _symmetric);
        var codes = _codes;
        Array.Clear(codes);
        codes.AsSpan().Fill((byte)zeroPoint); // padding dequantizes to exactly 0
        for (var i = 0; i < values.Length; i++)
        {
            codes[i] = (byte)Math.Clamp(MathF.Round(values[i] / scale + zeroPoint, MidpointRounding.ToEven), 0, 15);
            var error = values[i] - (codes[i] - zeroPoint) * scale;
            _errorSquares += error * error;
            _weightSquares += (double)values[i] * values[i];
        }

        var blob = ((long)row * _blocks + block) * _blockSize / 2;
        for (var i = 0; i < _blockSize; i += 2)
        {
            _packed[blob + i / 2] = (byte)(codes[i] | (codes[i + 1] << 4));
        }

        _scales[(long)row * _blocks + block] = scale;
        if (_zeroPoints is not null)
        {
            var index = (long)row * ((_blocks + 1) / 2) + block / 2;
            _zeroPoints[index] |= (byte)(block % 2 == 0 ? zeroPoint : zeroPoint << 4);
        }
    }

    public Int4Weight Result() =>
        new(_packed, _scales, _zeroPoints, _blocks, _weightSquares > 0 ? Math.Sqrt(_errorSquares / _weightSquares) : 0);

    private static (float Scale, int ZeroPoint) Parameters(ReadOnlySpan<float> values, bool symmetric)
    {
        float min = 0, max = 0;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        if (symmetric)
        {
            // The value with the largest magnitude maps to -8 (ORT's convention), using the full range.
            var extreme = -min > max ? min : max;
            return extreme == 0 ? (1f, 8) : (extreme / -8f, 8);
        }

        if (max == min)
        {
            return (1f, 0);
        }

        var scale = (max - min) / 15f;
        return (scale, (int)Math.Clamp(MathF.Round(-min / scale, MidpointRounding.ToEven), 0, 15));
    }
}

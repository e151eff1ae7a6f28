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
        var blocks = (k + blockSize - 1) / blockSize;
        var packed = new byte[n * blocks * blockSize / 2];
        var scales = new float[n * blocks];
        var zeroPoints = symmetric ? null : new byte[n * ((blocks + 1) / 2)];
        double errorSquares = 0, weightSquares = 0;
        var codes = new byte[blockSize];
        for (var row = 0; row < n; row++)
        {
            for (var block = 0; block < blocks; block++)
            {
                var start = block * blockSize;
                var length = Math.Min(blockSize, k - start);
                var values = nByK.AsSpan(row * k + start, length);
                var (scale, zeroPoint) = Parameters(values, symmetric);
                Array.Clear(codes);
                codes.AsSpan().Fill((byte)zeroPoint); // padding dequantizes to exactly 0
                for (var i = 0; i < length; i++)
                {
                    codes[i] = (byte)Math.Clamp(MathF.Round(values[i] / scale + zeroPoint, MidpointRounding.ToEven), 0, 15);
                    var error = values[i] - (codes[i] - zeroPoint) * scale;
                    errorSquares += error * error;
                    weightSquares += (double)values[i] * values[i];
                }

                var blob = (row * blocks + block) * blockSize / 2;
                for (var i = 0; i < blockSize; i += 2)
                {
                    packed[blob + i / 2] = (byte)(codes[i] | (codes[i + 1] << 4));
                }

                scales[row * blocks + block] = scale;
                if (zeroPoints is not null)
                {
                    var index = row * ((blocks + 1) / 2) + block / 2;
                    zeroPoints[index] |= (byte)(block % 2 == 0 ? zeroPoint : zeroPoint << 4);
                }
            }
        }

        return new Int4Weight(packed, scales, zeroPoints, blocks, weightSquares > 0 ? Math.Sqrt(errorSquares / weightSquares) : 0);
    }

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

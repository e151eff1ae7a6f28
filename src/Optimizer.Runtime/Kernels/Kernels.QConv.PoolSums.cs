using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // Indexed by pooled row width (PoolsInEpilogue's 2, 4, 8): the byte shuffle from PackPair's order to each channel's 4 pooled bytes (see PoolSumsAvx2).
    private static readonly Vector128<byte>[] PooledSumBytesByWidth = [.. Enumerable.Range(0, 9).Select(width => width is 2 or 4 or 8 ? PooledSumBytes(width) : default)];

    /// <summary>
    /// Whether <see cref="PoolSumsAvx2"/> may pool a tile's channels before requantizing: each
    /// scale is ≥ 0, so the requantization (sum + bias, to float, times the scale, round, clamp)
    /// never decreases and the maximum of the requantized pixels is the requantized maximum.
    /// </summary>
    private static unsafe bool SumsPoolExactly(float* scale, int c0, int channels)
    {
        for (var j = 0; j < channels; j++)
        {
            if (!(scale[c0 + j] >= 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The 2×2/2 max-pooled bytes of a pixel-lane tile (up to 4 channels × 16 pixels of int32
    /// sums, whole row pairs <paramref name="width"/> wide) when <see cref="SumsPoolExactly"/>:
    /// the sums are pooled first, so 16 values are requantized where the pixel epilogue
    /// requantizes 64 and then pools the bytes; same bytes. Each channel's 4 pooled bytes go to
    /// <c>y + c · planeBytes + p0 / 4</c>; <paramref name="pooledBytes"/> is the width's <see cref="PooledSumBytes"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PoolSumsAvx2(int* acc, int c0, int channels, int* bias, float* scale, byte* y, int planeBytes, int p0, int width,
        Vector128<byte> pooledBytes, in RequantizeAvx2 requantize)
    {
        var f0 = PooledScaled(acc, c0, 0, channels, bias, scale, width);
        var f1 = PooledScaled(acc, c0, 1, channels, bias, scale, width);
        var f2 = PooledScaled(acc, c0, 2, channels, bias, scale, width);
        var f3 = PooledScaled(acc, c0, 3, channels, bias, scale, width);
        // Each channel's 4 pooled values sit twice (lanes 2i and 2i + 1): interleave channel pairs, requantize 16 values at once.
        var bytes = requantize.PackPair(Avx.Blend(f0, f1, 0b_1010_1010), Avx.Blend(f2, f3, 0b_1010_1010));
        var pooled = Ssse3.Shuffle(bytes, pooledBytes).AsUInt32();
        for (var j = 0; j < channels; j++)
        {
            Unsafe.WriteUnaligned(y + (long)(c0 + j) * planeBytes + p0 / 4, pooled.GetElement(j));
        }
    }

    /// <summary>
    /// Channel <paramref name="j"/>'s (past the last: the last's) 16 sums pooled to its 4 windows'
    /// maxima, plus the bias, as floats times the scale; window i's value in lanes 2i and 2i + 1
    /// (for width 2 the windows come in the order 0, 2, 1, 3: <see cref="PooledSumBytes"/> undoes it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> PooledScaled(int* acc, int c0, int j, int channels, int* bias, float* scale, int width)
    {
        j = Math.Min(j, channels - 1);
        var (r0, r1) = (Avx.LoadVector256(acc + j * PixelBlock), Avx.LoadVector256(acc + j * PixelBlock + 8));
        var columns = width switch
        {
            // Rows 0 | 1: the row pair's column maxima.
            8 => Avx2.Max(r0, r1),
            // Rows 0, 1 | 2, 3: lanes 0–3 rows 0 and 1, lanes 4–7 rows 2 and 3.
            4 => Avx2.Max(Avx2.Permute2x128(r0, r1, 0x20), Avx2.Permute2x128(r0, r1, 0x31)),
            // Rows 0, 1, 2, 3 | 4, 5, 6, 7, two pixels each: swap the quadwords of each lane to meet the row below.
            _ => Avx2.UnpackLow(Avx2.Max(r0, Avx2.Shuffle(r0, 0b_01_00_11_10)).AsInt64(), Avx2.Max(r1, Avx2.Shuffle(r1, 0b_01_00_11_10)).AsInt64()).AsInt32(),
        };
        var windows = Avx2.Max(columns, Avx2.Shuffle(columns, 0b_10_11_00_01)); // each column pair's maximum, in both its lanes
        return Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(windows, Vector256.Create(bias[c0 + j]))), Vector256.Create(scale[c0 + j]));
    }

    /// <summary>
    /// The shuffle from <see cref="RequantizeAvx2.PackPair"/>'s bytes (a: channels 0/1 interleaved, b: 2/3;
    /// order a0–a3 b0–b3 a4–a7 b4–b7) to channel 0's 4 pooled bytes, then channel 1's, 2's, 3's.
    /// </summary>
    private static Vector128<byte> PooledSumBytes(int width)
    {
        ReadOnlySpan<int> windowOfPair = width == 2 ? [0, 2, 1, 3] : [0, 1, 2, 3];
        Span<byte> shuffle = stackalloc byte[16];
        for (var group = 0; group < 2; group++)
        {
            for (var lane = 0; lane < 8; lane++)
            {
                var channel = group * 2 + lane % 2;
                var at = (lane < 4 ? 0 : 8) + group * 4 + lane % 4;
                shuffle[channel * 4 + windowOfPair[lane / 2]] = (byte)at;
            }
        }

        return Vector128.Create(shuffle);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// DequantizeLinear → GlobalAveragePool → QuantizeLinear on uint8 bytes (ONNX Runtime's QLinearGlobalAveragePool): each
    /// of <paramref name="nc"/> planes of <paramref name="spatial"/> bytes summed exactly as integers, then
    /// <c>mean = (Σx − spatial·xZero) · xScale / spatial</c> and <see cref="Quantize"/>'s divide, clamp and round half to even.
    /// The float path sums the dequantized values with rounding at every add, so a mean on a rounding boundary may land
    /// one step apart from it; the integer sum is the exact one. y is uint8 (<paramref name="ySigned"/> 0) or int8 (1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void QLinearGlobalAveragePool(ReadOnlySpan<byte> x, Span<byte> y, int nc, int spatial, int xZero, int yZero, int ySigned,
        float xScale, float yScale)
    {
        if (x.Length < (long)nc * spatial || y.Length < nc || spatial <= 0)
        {
            throw new ArgumentException("A quantized global average pool's operands are smaller than its shape.");
        }

        var q = new QLinearQuantizer(yScale, yZero, ySigned != 0);
        fixed (byte* px = x)
        {
            for (var plane = 0; plane < nc; plane++)
            {
                var sum = ByteSum(px + (long)plane * spatial, spatial) - (long)spatial * xZero;
                y[plane] = q.Byte((float)sum * xScale / spatial);
            }
        }
    }

    /// <summary>The sum of <paramref name="count"/> bytes (<c>vpsadbw</c> against zero on AVX2: four 64-bit sums per 32 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe long ByteSum(byte* x, int count)
    {
        long sum = 0;
        var i = 0;
        if (Avx2.IsSupported && count >= 32)
        {
            var acc = Vector256<ulong>.Zero;
            for (; i + 32 <= count; i += 32)
            {
                acc = Avx2.Add(acc, Avx2.SumAbsoluteDifferences(Avx.LoadVector256(x + i), Vector256<byte>.Zero).AsUInt64());
            }

            sum = (long)Vector256.Sum(acc);
        }

        for (; i < count; i++)
        {
            sum += x[i];
        }

        return sum;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// <see cref="QLinearRun"/> 64 bytes at a time on zmm (AVX-512F): each 16 bytes widened by <c>vpmovzxbd</c>, the same
    /// float subtract, multiply, add or multiply and divide, then <see cref="RequantizeAvx2"/>'s clamp (<c>vmaxps</c>/<c>vminps</c>
    /// against the bounds less the zero point), <c>vcvtps2dq</c>, the zero point added in int32 and <c>vpmovdb</c> (in range, so
    /// truncation is exact): the same bytes at half the AVX2 loop's instructions, which left the classifier's squeeze-excite
    /// gates 2.5× slower than the float Mul they replace. Returns the bytes done (a multiple of 64).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int QLinearRun512(byte* a, byte* b, byte* y, int count, int op, int aZero, int bZero, float aScale, float bScale, in QLinearQuantizer q)
    {
        if (!Avx512F.IsSupported)
        {
            return 0;
        }

        var (za, sa, zb, sb) = (Vector512.Create((float)aZero), Vector512.Create(aScale), Vector512.Create((float)bZero), Vector512.Create(bScale));
        var i = 0;
        for (; i + 64 <= count; i += 64)
        {
            for (var part = i; part < i + 64; part += 16)
            {
                var (va, vb) = (Dequantized16(a + part, za, sa), Dequantized16(b + part, zb, sb));
                q.Store16(op == QLinearAdd ? Avx512F.Add(va, vb) : Avx512F.Multiply(va, vb), y + part);
            }
        }

        return i;
    }

    /// <summary><see cref="QLinearBroadcastRun"/> 64 bytes at a time on zmm, as <see cref="QLinearRun512"/>. Returns the bytes done.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int QLinearBroadcastRun512(byte* a, float gate, byte* y, int count, int op, int aZero, float aScale, in QLinearQuantizer q)
    {
        if (!Avx512F.IsSupported)
        {
            return 0;
        }

        var (za, sa, g) = (Vector512.Create((float)aZero), Vector512.Create(aScale), Vector512.Create(gate));
        var i = 0;
        for (; i + 64 <= count; i += 64)
        {
            for (var part = i; part < i + 64; part += 16)
            {
                var va = Dequantized16(a + part, za, sa);
                q.Store16(op == QLinearAdd ? Avx512F.Add(va, g) : Avx512F.Multiply(va, g), y + part);
            }
        }

        return i;
    }

    /// <summary>16 bytes as <c>(v − z) · s</c> (each byte converts exactly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Dequantized16(byte* x, Vector512<float> z, Vector512<float> s) =>
        Avx512F.Multiply(Avx512F.Subtract(Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(x))), z), s);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>One 8×8 block: unpacks within pairs of rows, shuffles within quads, then swaps the 128-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(float* src, int srcStride, float* dst, int dstStride)
    {
        var t0 = Avx.UnpackLow(Avx.LoadVector256(src), Avx.LoadVector256(src + srcStride));
        var t1 = Avx.UnpackHigh(Avx.LoadVector256(src), Avx.LoadVector256(src + srcStride));
        var t2 = Avx.UnpackLow(Avx.LoadVector256(src + 2L * srcStride), Avx.LoadVector256(src + 3L * srcStride));
        var t3 = Avx.UnpackHigh(Avx.LoadVector256(src + 2L * srcStride), Avx.LoadVector256(src + 3L * srcStride));
        var t4 = Avx.UnpackLow(Avx.LoadVector256(src + 4L * srcStride), Avx.LoadVector256(src + 5L * srcStride));
        var t5 = Avx.UnpackHigh(Avx.LoadVector256(src + 4L * srcStride), Avx.LoadVector256(src + 5L * srcStride));
        var t6 = Avx.UnpackLow(Avx.LoadVector256(src + 6L * srcStride), Avx.LoadVector256(src + 7L * srcStride));
        var t7 = Avx.UnpackHigh(Avx.LoadVector256(src + 6L * srcStride), Avx.LoadVector256(src + 7L * srcStride));
        // Lanes (in each half) of rows 0–3, then 4–7: columns 0, 1 of the half from t0/t2, 2, 3 from t1/t3.
        var q0 = Avx.Shuffle(t0, t2, 0x44);
        var q1 = Avx.Shuffle(t0, t2, 0xEE);
        var q2 = Avx.Shuffle(t1, t3, 0x44);
        var q3 = Avx.Shuffle(t1, t3, 0xEE);
        var q4 = Avx.Shuffle(t4, t6, 0x44);
        var q5 = Avx.Shuffle(t4, t6, 0xEE);
        var q6 = Avx.Shuffle(t5, t7, 0x44);
        var q7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(q0, q4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(q1, q5, 0x20));
        Avx.Store(dst + 2L * dstStride, Avx.Permute2x128(q2, q6, 0x20));
        Avx.Store(dst + 3L * dstStride, Avx.Permute2x128(q3, q7, 0x20));
        Avx.Store(dst + 4L * dstStride, Avx.Permute2x128(q0, q4, 0x31));
        Avx.Store(dst + 5L * dstStride, Avx.Permute2x128(q1, q5, 0x31));
        Avx.Store(dst + 6L * dstStride, Avx.Permute2x128(q2, q6, 0x31));
        Avx.Store(dst + 7L * dstStride, Avx.Permute2x128(q3, q7, 0x31));
    }

    /// <summary>One 4×4 block: interleaves pairs of rows, then halves (the classic SSE transpose).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose4x4(float* src, int srcStride, float* dst, int dstStride)
    {
        var a = Vector128.Load(src);
        var b = Vector128.Load(src + srcStride);
        var c = Vector128.Load(src + 2L * srcStride);
        var d = Vector128.Load(src + 3L * srcStride);
        var ab0 = Sse.UnpackLow(a, b);
        var ab1 = Sse.UnpackHigh(a, b);
        var cd0 = Sse.UnpackLow(c, d);
        var cd1 = Sse.UnpackHigh(c, d);
        Vector128.Store(Sse.MoveLowToHigh(ab0, cd0), dst);
        Vector128.Store(Sse.MoveHighToLow(cd0, ab0), dst + dstStride);
        Vector128.Store(Sse.MoveLowToHigh(ab1, cd1), dst + 2L * dstStride);
        Vector128.Store(Sse.MoveHighToLow(cd1, ab1), dst + 3L * dstStride);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    // Output pixels per tile of the pixel-lane convolution: one zmm, or two ymm, of int32 sums.
    private const int PixelBlock = 16;

    // Output channels per tile: 4 × 16 pixels keeps 8 ymm (or 4 zmm) accumulators in registers.
    private const int ChannelBlock = 4;

    // The im2col rows of an image regrouped in pixel blocks (see InterleavePixelQuads): per thread, so a warm run allocates nothing.
    [ThreadStatic]
    private static byte[]? _pixelQuads;

    /// <summary>Whether an int8 path runs convolutions with pixels in the vector lanes (<see cref="QConvPixelLanes"/>); the scalar path keeps the GEMM tile.</summary>
    private static bool PixelLanes(KernelPath path) => path is KernelPath.AvxVnni or KernelPath.Avx512BW or KernelPath.Avx2;

    /// <summary>
    /// One image of a quantized convolution with output pixels in the vector lanes: NCHW output
    /// is then 16 contiguous pixels per channel, requantized and stored as one vector, where the
    /// GEMM tile (pixels as rows) writes a transposed byte at a time. The activation quads are the
    /// u8 operand of <c>vpdpbusd</c> / <c>vpmaddubsw</c>, each channel's 4 weights broadcast as the
    /// s8 one, read from the <see cref="PackInt8B"/> panel (16 channels' quads side by side).
    /// Same integer sums and the same float requantization as <see cref="QGemmJob"/>, so the bytes match every path.
    /// <paramref name="poolWidth"/> (the output width, else 0) max-pools each block 2×2 as it is stored (<see cref="PoolsInEpilogue"/>).
    /// </summary>
    [SkipLocalsInit] // the tiles write every accumulator before the epilogue reads it
    private static unsafe void QConvPixelLanes(byte* interleaved, int pixels, int quads, byte* packed, int channels, int* bias, float* scale, byte* y,
        int outputKind, int yZero, int act, int poolWidth, KernelPath path)
    {
        var blocks = (pixels + PixelBlock - 1) / PixelBlock;
        var fused = 0;
        if (PixelTilesFuse(path, outputKind, poolWidth))
        {
            // The whole blocks requantized from the tiles' registers; a partial last block through the epilogue below.
            fused = pixels / PixelBlock;
            float lo = outputKind == 1 ? -128 : 0, hi = outputKind == 1 ? 127 : 255;
            lo = act == 1 ? Math.Max(lo, yZero) : lo;
            PixelBlocks(interleaved, 0, fused, quads, packed, channels, new PixelTileRequantize(bias, scale, y, pixels, lo, hi, yZero, signed: outputKind == 1), path);
        }

        if (fused < blocks)
        {
            var acc = stackalloc int[ChannelBlock * PixelBlock];
            var epilogue = new PixelEpilogue(bias, scale, y, pixels, outputKind, yZero, act, poolWidth);
            PixelBlocks(interleaved, fused, blocks, quads, packed, channels, new EpilogueTile(acc, epilogue), path);
        }
    }

    /// <summary>Pixel blocks <paramref name="first"/> to <paramref name="end"/> of <see cref="QConvPixelLanes"/>, each 4-channel tile handed to <paramref name="sink"/> as it ends.</summary>
    private static unsafe void PixelBlocks<TSink>(byte* interleaved, int first, int end, int quads, byte* packed, int channels, in TSink sink, KernelPath path)
        where TSink : struct, IPixelTileSink
    {
        var blockBytes = (long)quads * PixelBlock * 4;
        for (var block = first; block < end; block++)
        {
            var a = interleaved + block * blockBytes;
            var p0 = block * PixelBlock;
            for (var c0 = 0; c0 < channels; c0 += ChannelBlock)
            {
                // Channel c's quad q is the dword at (panel · quads + q) · 64 + (c % 16) · 4; panels hold 16 channels, zero past the last.
                var w = packed + (long)(c0 / PanelWidth) * quads * 64 + c0 % PanelWidth * 4;
                var count = Math.Min(ChannelBlock, channels - c0);
                switch (path)
                {
                    case KernelPath.AvxVnni: PixelTileVnni(a, w, quads, sink, c0, count, p0); break;
                    case KernelPath.Avx512BW: PixelTileAvx512BW(a, w, quads, sink, c0, count, p0); break;
                    default: PixelTileAvx2(a, w, quads, sink, c0, count, p0); break;
                }
            }
        }
    }

    /// <summary>The pixel-block buffer for an image of <paramref name="pixels"/> output pixels and <paramref name="quads"/> k-quads (this thread's).</summary>
    private static unsafe byte* PixelQuads(int pixels, int quads) =>
        PixelQuadBuffer((long)(pixels + PixelBlock - 1) / PixelBlock * quads * PixelBlock * 4);

    private static unsafe byte* PixelQuadBuffer(long bytes) => ThreadBuffer(ref _pixelQuads, bytes);

    /// <summary><paramref name="buffer"/> (a [ThreadStatic] field), grown to at least <paramref name="bytes"/> and pinned: allocation-free once warm.</summary>
    private static unsafe byte* ThreadBuffer(ref byte[]? buffer, long bytes)
    {
        if (buffer is null || buffer.Length < bytes)
        {
            buffer = GC.AllocateUninitializedArray<byte>(checked((int)bytes), pinned: true);
        }

        return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
    }

    /// <summary>
    /// im2col rows <c>[pixels, quads · 4]</c> → blocks of 16 pixels, each <c>[quads, 16, 4]</c>: one
    /// 64-byte load is a quad of 16 pixels. Lanes past the last pixel are left as they are (never stored).
    /// </summary>
    private static unsafe void InterleavePixelQuads(byte* rows, int pixels, int quads, byte* interleaved)
    {
        for (var p0 = 0; p0 < pixels; p0 += PixelBlock)
        {
            var dst = (uint*)(interleaved + (long)p0 * quads * 4);
            var count = Math.Min(PixelBlock, pixels - p0);
            for (var i = 0; i < count; i++)
            {
                var src = (uint*)(rows + (long)(p0 + i) * quads * 4);
                for (var q = 0; q < quads; q++)
                {
                    dst[q * PixelBlock + i] = src[q];
                }
            }
        }
    }

    // The tile loops have no calls in them (the sink's Four, inlined, runs after), so the accumulators stay in registers.
    private static unsafe void PixelTileVnni<TSink>(byte* a, byte* w, int quads, in TSink sink, int c0, int count, int p0)
        where TSink : struct, IPixelTileSink
    {
        Vector256<int> c0l = default, c0h = default, c1l = default, c1h = default, c2l = default, c2h = default, c3l = default, c3h = default;
        for (var q = 0; q < quads; q++, a += 64, w += 64)
        {
            var lo = Avx.LoadVector256(a);
            var hi = Avx.LoadVector256(a + 32);
            var b = Vector256.Create(*(int*)w).AsSByte();
            c0l = Avx512Ops.MultiplyWideningAndAdd(c0l, lo, b); c0h = Avx512Ops.MultiplyWideningAndAdd(c0h, hi, b);
            b = Vector256.Create(*(int*)(w + 4)).AsSByte();
            c1l = Avx512Ops.MultiplyWideningAndAdd(c1l, lo, b); c1h = Avx512Ops.MultiplyWideningAndAdd(c1h, hi, b);
            b = Vector256.Create(*(int*)(w + 8)).AsSByte();
            c2l = Avx512Ops.MultiplyWideningAndAdd(c2l, lo, b); c2h = Avx512Ops.MultiplyWideningAndAdd(c2h, hi, b);
            b = Vector256.Create(*(int*)(w + 12)).AsSByte();
            c3l = Avx512Ops.MultiplyWideningAndAdd(c3l, lo, b); c3h = Avx512Ops.MultiplyWideningAndAdd(c3h, hi, b);
        }

        sink.Four(c0l, c0h, c1l, c1h, c2l, c2h, c3l, c3h, c0, count, p0);
    }

    private static unsafe void PixelTileAvx512BW<TSink>(byte* a, byte* w, int quads, in TSink sink, int c0, int count, int p0)
        where TSink : struct, IPixelTileSink
    {
        Vector512<int> s0 = default, s1 = default, s2 = default, s3 = default;
        var ones = Vector512.Create((short)1);
        for (var q = 0; q < quads; q++, a += 64, w += 64)
        {
            var x = Avx512Ops.LoadVector512(a);
            s0 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.MultiplyAddAdjacent(x, Vector512.Create(*(int*)w).AsSByte()), ones);
            s1 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.MultiplyAddAdjacent(x, Vector512.Create(*(int*)(w + 4)).AsSByte()), ones);
            s2 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.MultiplyAddAdjacent(x, Vector512.Create(*(int*)(w + 8)).AsSByte()), ones);
            s3 += Avx512Ops.MultiplyAddAdjacent(Avx512Ops.MultiplyAddAdjacent(x, Vector512.Create(*(int*)(w + 12)).AsSByte()), ones);
        }

        sink.Zmm(s0, s1, s2, s3, c0, count, p0);
    }

    private static unsafe void PixelTileAvx2<TSink>(byte* a, byte* w, int quads, in TSink sink, int c0, int count, int p0)
        where TSink : struct, IPixelTileSink
    {
        Vector256<int> c0l = default, c0h = default, c1l = default, c1h = default, c2l = default, c2h = default, c3l = default, c3h = default;
        var ones = Vector256.Create((short)1);
        for (var q = 0; q < quads; q++, a += 64, w += 64)
        {
            var lo = Avx.LoadVector256(a);
            var hi = Avx.LoadVector256(a + 32);
            var b = Vector256.Create(*(int*)w).AsSByte();
            c0l += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(lo, b), ones); c0h += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(hi, b), ones);
            b = Vector256.Create(*(int*)(w + 4)).AsSByte();
            c1l += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(lo, b), ones); c1h += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(hi, b), ones);
            b = Vector256.Create(*(int*)(w + 8)).AsSByte();
            c2l += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(lo, b), ones); c2h += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(hi, b), ones);
            b = Vector256.Create(*(int*)(w + 12)).AsSByte();
            c3l += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(lo, b), ones); c3h += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(hi, b), ones);
        }

        sink.Four(c0l, c0h, c1l, c1h, c2l, c2h, c3l, c3h, c0, count, p0);
    }

    /// <summary>
    /// Where the tiles (<see cref="PixelTileVnni"/>, <see cref="PixelTileAvx2"/> on ymm, <see cref="PixelTileAvx512BW"/> on zmm) put their
    /// 4 channels × 16 pixels of int32 sums as they end: through memory to <see cref="PixelEpilogue"/> (<see cref="EpilogueTile"/>), or
    /// requantized to the output from the registers (<see cref="PixelTileRequantize"/>). One loop per instruction set, the sink's method
    /// inlined after it (a struct type argument: compiled per sink).
    /// </summary>
    private interface IPixelTileSink
    {
        /// <summary>Channels <paramref name="c0"/>… (<paramref name="count"/> of them, 1–4) at pixel <paramref name="p0"/>: channel j's pixels in <c>cjl</c> (0–7) and <c>cjh</c> (8–15).</summary>
        void Four(Vector256<int> c0l, Vector256<int> c0h, Vector256<int> c1l, Vector256<int> c1h,
            Vector256<int> c2l, Vector256<int> c2h, Vector256<int> c3l, Vector256<int> c3h, int c0, int count, int p0);

        /// <summary>As <see cref="Four"/>, channel j's 16 pixels in one zmm <c>sj</c>.</summary>
        void Zmm(Vector512<int> s0, Vector512<int> s1, Vector512<int> s2, Vector512<int> s3, int c0, int count, int p0);
    }

    /// <summary>The tile's sums stored as <c>acc[j · 16 + i]</c> (channel j, pixel i; all four whatever the count), then written by <paramref name="epilogue"/>.</summary>
    private readonly unsafe struct EpilogueTile(int* acc, PixelEpilogue epilogue) : IPixelTileSink
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Four(Vector256<int> c0l, Vector256<int> c0h, Vector256<int> c1l, Vector256<int> c1h,
            Vector256<int> c2l, Vector256<int> c2h, Vector256<int> c3l, Vector256<int> c3h, int c0, int count, int p0)
        {
            c0l.Store(acc); c0h.Store(acc + 8); c1l.Store(acc + 16); c1h.Store(acc + 24);
            c2l.Store(acc + 32); c2h.Store(acc + 40); c3l.Store(acc + 48); c3h.Store(acc + 56);
            epilogue.Store(acc, c0, count, p0);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Zmm(Vector512<int> s0, Vector512<int> s1, Vector512<int> s2, Vector512<int> s3, int c0, int count, int p0)
        {
            s0.Store(acc); s1.Store(acc + 16); s2.Store(acc + 32); s3.Store(acc + 48);
            epilogue.Store(acc, c0, count, p0);
        }
    }
}

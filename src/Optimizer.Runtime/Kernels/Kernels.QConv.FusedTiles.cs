using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Whether <see cref="QConvPixelLanes"/> requantizes its whole blocks from the tile's registers
    /// (<see cref="PixelTileRequantize"/>): uint8 or int8 output, unpooled, on every pixel-lane tile. With a small k (the OCR
    /// classifier's 1×1 convolutions of 8–32 channels) the tile's accumulator stores, their reloads and the epilogue's call
    /// cost as much as the dot products (on Zen 4's zmm tile the epilogue took more time than the tile).
    /// </summary>
    private static bool PixelTilesFuse(KernelPath path, int outputKind, int poolWidth) =>
        PixelLanes(path) && outputKind is 0 or 1 && poolWidth == 0 && Avx2.IsSupported;

    /// <summary>
    /// A fused tile's epilogue: <see cref="PixelEpilogue"/>'s uint8/int8 arithmetic (<c>(acc + bias) · scale</c>, then
    /// <see cref="RequantizeAvx2"/> two channels per pack, or <see cref="RequantizeZmm"/> one per zmm), so the same bytes, each
    /// channel's 16 bytes one store into its NCHW plane.
    /// </summary>
    private readonly unsafe struct PixelTileRequantize(int* bias, float* scale, byte* y, int pixels, float lo, float hi, int zero, bool signed) : IPixelTileSink
    {
        private readonly RequantizeAvx2 _requantize = new(lo, hi, zero, signed);
        private readonly RequantizeZmm _zmm = new(lo, hi, zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Zmm(Vector512<int> s0, Vector512<int> s1, Vector512<int> s2, Vector512<int> s3, int c0, int count, int p0)
        {
            var dst = y + (long)c0 * pixels + p0;
            One(s0, c0, dst);
            if (count > 1)
            {
                One(s1, c0 + 1, dst + pixels);
            }

            if (count > 2)
            {
                One(s2, c0 + 2, dst + 2L * pixels);
            }

            if (count > 3)
            {
                One(s3, c0 + 3, dst + 3L * pixels);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void One(Vector512<int> sums, int c, byte* to) =>
            _zmm.Channel(sums, bias[c], scale[c]).Store(to);

        /// <summary>Channels <paramref name="c0"/>… (<paramref name="count"/> of them, 1–4; the unused accumulators are ignored) at pixel <paramref name="p0"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Four(Vector256<int> c0l, Vector256<int> c0h, Vector256<int> c1l, Vector256<int> c1h,
            Vector256<int> c2l, Vector256<int> c2h, Vector256<int> c3l, Vector256<int> c3h, int c0, int count, int p0)
        {
            var dst = y + (long)c0 * pixels + p0;
            if (count == 4)
            {
                Pair(c0l, c0h, c1l, c1h, c0, c0 + 1, dst, dst + pixels);
                Pair(c2l, c2h, c3l, c3h, c0 + 2, c0 + 3, dst + 2L * pixels, dst + 3L * pixels);
                return;
            }

            // The last group of a channel count that is not a multiple of 4: an odd last channel is packed with itself.
            if (count == 1)
            {
                Pair(c0l, c0h, c0l, c0h, c0, c0, dst, dst);
                return;
            }

            Pair(c0l, c0h, c1l, c1h, c0, c0 + 1, dst, dst + pixels);
            if (count == 3)
            {
                Pair(c2l, c2h, c2l, c2h, c0 + 2, c0 + 2, dst + 2L * pixels, dst + 2L * pixels);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Pair(Vector256<int> al, Vector256<int> ah, Vector256<int> bl, Vector256<int> bh, int a, int b, byte* toA, byte* toB)
        {
            var bytes = _requantize.Channels(al, ah, bias[a], scale[a], bl, bh, bias[b], scale[b]);
            bytes.GetLower().Store(toA);
            bytes.GetUpper().Store(toB);
        }
    }
}

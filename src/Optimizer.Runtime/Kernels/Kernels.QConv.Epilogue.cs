using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// Writes a pixel-lane tile (<see cref="QConvPixelLanes"/>) into one NCHW image: per channel,
    /// <c>v = (acc + bias) · scale</c> over 16 pixels, then as <see cref="QGemmJob"/> stores it
    /// (the same float operations in the same order, so the bytes match): uint8 (output kind 0) or
    /// int8 (1) requantized with the zero point (act 1 clamps below it: Relu), or float32 (2);
    /// with a <c>poolWidth</c>, uint8 pooled 2×2 (<see cref="Pool2x2"/>).
    /// </summary>
    private readonly unsafe struct PixelEpilogue(int* bias, float* scale, byte* y, int pixels, int outputKind, int yZero, int act, int poolWidth)
    {
        private readonly (Vector128<byte>, Vector128<byte>, Vector128<byte>, Vector128<byte>) _windows = poolWidth != 0 ? PoolWindowsByWidth[poolWidth] : default;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Store(int* acc, int c0, int channels, int p0)
        {
            var count = Math.Min(PixelBlock, pixels - p0);
            if (outputKind != 2 && KernelDispatch.Current.Fp32Gemm == KernelPath.Avx512F)
            {
                StoreBytes512(acc, c0, channels, p0, count);
                return;
            }

            if (outputKind != 2 && Avx2.IsSupported)
            {
                StoreBytesAvx2(acc, c0, channels, p0, count);
                return;
            }

            for (var j = 0; j < channels; j++)
            {
                var c = c0 + j;
                var sums0 = Vector256.Load(acc + j * PixelBlock) + Vector256.Create(bias[c]);
                var sums1 = Vector256.Load(acc + j * PixelBlock + 8) + Vector256.Create(bias[c]);
                var at = (long)c * pixels + p0;
                var s = Vector256.Create(scale[c]);
                var v0 = Vector256.ConvertToSingle(sums0) * s;
                var v1 = Vector256.ConvertToSingle(sums1) * s;
                if (outputKind == 2)
                {
                    if (act == 1)
                    {
                        v0 = Vector256.Max(v0, Vector256<float>.Zero);
                        v1 = Vector256.Max(v1, Vector256<float>.Zero);
                    }

                    Write((byte*)((float*)y + at), (byte*)&v0, (byte*)&v1, count * 4);
                    continue;
                }

                float lo = outputKind == 1 ? -128 : 0, hi = outputKind == 1 ? 127 : 255;
                if (act == 1)
                {
                    lo = Math.Max(lo, yZero);
                }

                var zero = Vector256.Create((float)yZero);
                v0 = Vector256.Min(Vector256.Max(Vector256.Round(v0) + zero, Vector256.Create(lo)), Vector256.Create(hi));
                v1 = Vector256.Min(Vector256.Max(Vector256.Round(v1) + zero, Vector256.Create(lo)), Vector256.Create(hi));
                var shorts = Vector256.Narrow(Vector256.ConvertToInt32(v0), Vector256.ConvertToInt32(v1)).AsUInt16();
                var bytes = Vector128.Narrow(shorts.GetLower(), shorts.GetUpper());
                StoreBytes(bytes, c, p0, count);
            }
        }

        /// <summary>
        /// The uint8/int8 stores of <see cref="Store"/> with each channel's 16 pixels in one zmm (<see cref="RequantizeZmm"/>:
        /// the same bytes). The portable Min/Max/ConvertToInt32 (NaN-propagating, saturating) compiled to ~20 instructions a
        /// channel with the constants spilled, and made this the costliest step of a small-k convolution (the OCR classifier's).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void StoreBytes512(int* acc, int c0, int channels, int p0, int count)
        {
            float lo = outputKind == 1 ? -128 : 0, hi = outputKind == 1 ? 127 : 255;
            if (act == 1)
            {
                lo = Math.Max(lo, yZero);
            }

            var requantize = new RequantizeZmm(lo, hi, yZero);
            if (count == PixelBlock && poolWidth == 0)
            {
                // Whole blocks, unpooled: a 16-byte store each, and no call in the loop to spill the constants around.
                for (var j = 0; j < channels; j++)
                {
                    Requantized(acc + j * PixelBlock, c0 + j, requantize).Store(y + (long)(c0 + j) * pixels + p0);
                }

                return;
            }

            for (var j = 0; j < channels; j++)
            {
                StoreBytes(Requantized(acc + j * PixelBlock, c0 + j, requantize), c0 + j, p0, count);
            }
        }

        /// <summary>Channel <paramref name="c"/>'s 16 sums (at <paramref name="sums"/>) requantized to bytes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector128<byte> Requantized(int* sums, int c, in RequantizeZmm requantize)
        {
            // Two ymm loads: the AVX-VNNI tile stores ymm halves, which a zmm load could not take from the store buffer.
            var both = Vector256.Load(sums).ToVector512Unsafe().WithUpper(Vector256.Load(sums + 8));
            return requantize.Channel(both, bias[c], scale[c]);
        }

        /// <summary>The uint8/int8 stores of <see cref="Store"/> two channels at a time (<see cref="RequantizeAvx2"/>); an odd last channel is packed with itself.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void StoreBytesAvx2(int* acc, int c0, int channels, int p0, int count)
        {
            float lo = outputKind == 1 ? -128 : 0, hi = outputKind == 1 ? 127 : 255;
            if (act == 1)
            {
                lo = Math.Max(lo, yZero);
            }

            var requantize = new RequantizeAvx2(lo, hi, yZero, signed: outputKind == 1);
            if (count == PixelBlock && poolWidth == 0)
            {
                // Whole blocks, unpooled: two 16-byte stores a pair, and no call in the loop to spill the constants around.
                for (var j = 0; j < channels; j += 2)
                {
                    var (a, b) = (c0 + j, c0 + Math.Min(j + 1, channels - 1));
                    var bytes = RequantizedPair(acc, c0, a, b, requantize);
                    bytes.GetLower().Store(y + (long)a * pixels + p0);
                    bytes.GetUpper().Store(y + (long)b * pixels + p0);
                }

                return;
            }

            for (var j = 0; j < channels; j += 2)
            {
                var (a, b) = (c0 + j, c0 + Math.Min(j + 1, channels - 1));
                var bytes = RequantizedPair(acc, c0, a, b, requantize);
                if (poolWidth != 0)
                {
                    // vpshufb works per 128-bit lane, so one set of window shuffles pools both channels.
                    var (w0, w1, w2, w3) = _windows;
                    var pooled = Avx2.Max(Avx2.Max(Avx2.Shuffle(bytes, Vector256.Create(w0, w0)), Avx2.Shuffle(bytes, Vector256.Create(w1, w1))),
                        Avx2.Max(Avx2.Shuffle(bytes, Vector256.Create(w2, w2)), Avx2.Shuffle(bytes, Vector256.Create(w3, w3)))).AsUInt32();
                    Unsafe.WriteUnaligned(y + (long)a * (pixels / 4) + p0 / 4, pooled.ToScalar());
                    Unsafe.WriteUnaligned(y + (long)b * (pixels / 4) + p0 / 4, pooled.GetElement(4));
                    continue;
                }

                StoreBytes(bytes.GetLower(), a, p0, count);
                if (b != a)
                {
                    StoreBytes(bytes.GetUpper(), b, p0, count);
                }
            }
        }

        /// <summary>Channels <paramref name="a"/> and <paramref name="b"/> (of the tile from <paramref name="c0"/>) requantized: a's 16 bytes, then b's.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector256<byte> RequantizedPair(int* acc, int c0, int a, int b, in RequantizeAvx2 requantize)
        {
            var ra = acc + (a - c0) * PixelBlock;
            var rb = acc + (b - c0) * PixelBlock;
            return requantize.Channels(Avx.LoadVector256(ra), Avx.LoadVector256(ra + 8), bias[a], scale[a], Avx.LoadVector256(rb), Avx.LoadVector256(rb + 8), bias[b], scale[b]);
        }

        // A channel's 16 requantized pixels, or the 4 bytes they pool to (whole blocks; a pooled plane is a quarter of the pixels).
        private void StoreBytes(Vector128<byte> bytes, int c, int p0, int count)
        {
            if (poolWidth != 0)
            {
                Unsafe.WriteUnaligned(y + (long)c * (pixels / 4) + p0 / 4, Pool2x2(bytes, _windows));
            }
            else if (count == PixelBlock)
            {
                bytes.Store(y + (long)c * pixels + p0);
            }
            else
            {
                Unsafe.CopyBlockUnaligned(y + (long)c * pixels + p0, &bytes, (uint)count);
            }
        }

        // The first `bytes` of two 32-byte halves (16 lanes of 4 bytes), to dst.
        private static void Write(byte* dst, byte* low, byte* high, int bytes)
        {
            Unsafe.CopyBlockUnaligned(dst, low, (uint)Math.Min(bytes, 32));
            if (bytes > 32)
            {
                Unsafe.CopyBlockUnaligned(dst + 32, high, (uint)(bytes - 32));
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// The requantization of two 16-lane groups (a and b, each as two 8-lane halves of scaled
    /// sums <c>v</c>) to 32 bytes, a's 16 then b's 16, with the instructions AVX2 has:
    /// <c>clamp(v, lo − zero, hi − zero)</c> by <c>vmaxps</c>/<c>vminps</c>, round half to even
    /// by <c>vcvtps2dq</c>, the zero point added in int16, then packed. The portable
    /// <c>Vector256</c> Min/Max/ConvertToInt32/Narrow keep NaN and saturation semantics at ~5× the
    /// instructions (the whole cost of a small convolution's epilogue). Same bytes as the scalar
    /// <c>clamp(round_half_even(v) + zero, lo, hi)</c>: the bounds are integers, so clamping
    /// before or after rounding agrees, and every value is an exact int16.
    /// </summary>
    private readonly struct RequantizeAvx2(float lo, float hi, int zero, bool signed)
    {
        private readonly Vector256<float> _low = Vector256.Create(lo - zero);
        private readonly Vector256<float> _high = Vector256.Create(hi - zero);
        private readonly Vector256<short> _zero = Vector256.Create((short)zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<byte> Pack(Vector256<float> a0, Vector256<float> a1, Vector256<float> b0, Vector256<float> b1)
        {
            var a = Avx2.Add(Avx2.PackSignedSaturate(Round(a0), Round(a1)), _zero);
            var b = Avx2.Add(Avx2.PackSignedSaturate(Round(b0), Round(b1)), _zero);
            var bytes = signed ? Avx2.PackSignedSaturate(a, b).AsByte() : Avx2.PackUnsignedSaturate(a, b);
            // After the packs each 128-bit lane holds 4-byte groups a0 a2 b0 b2 | a1 a3 b1 b3: back to a0 a1 a2 a3 b0 b1 b2 b3.
            return Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsByte();
        }

        /// <summary>
        /// Two channels' 16 int32 sums each (a in <paramref name="al"/>, <paramref name="ah"/>; b likewise) as a conv epilogue
        /// requantizes them: <c>(sum + bias) · scale</c> per channel, then <see cref="Pack"/>: a's 16 bytes, then b's.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<byte> Channels(Vector256<int> al, Vector256<int> ah, int biasA, float scaleA, Vector256<int> bl, Vector256<int> bh, int biasB, float scaleB)
        {
            var (sa, sb) = (Vector256.Create(scaleA), Vector256.Create(scaleB));
            var (ba, bb) = (Vector256.Create(biasA), Vector256.Create(biasB));
            return Pack(
                Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(al, ba)), sa),
                Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(ah, ba)), sa),
                Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(bl, bb)), sb),
                Avx.Multiply(Avx.ConvertToVector256Single(Avx2.Add(bh, bb)), sb));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector256<int> Round(Vector256<float> v) => Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(v, _low), _high));
    }

    /// <summary>
    /// <see cref="RequantizeAvx2"/>'s arithmetic on one zmm of 16 values: clamped to the bounds less the zero point by
    /// <c>vmaxps</c>/<c>vminps</c>, rounded half to even by <c>vcvtps2dq</c>, the zero point added in int32 and narrowed by
    /// <c>vpmovdb</c> (in range, so truncation is exact): the same bytes. Through <see cref="Avx512Ops"/>, so it also runs emulated.
    /// </summary>
    private readonly struct RequantizeZmm(float lo, float hi, int zero)
    {
        private readonly Vector512<float> _low = Vector512.Create(lo - zero);
        private readonly Vector512<float> _high = Vector512.Create(hi - zero);
        private readonly Vector512<int> _zero = Vector512.Create(zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<byte> Bytes(Vector512<float> v) => Avx512Ops.ConvertToVector128Byte(RoundToInt32(Avx512Ops.Min(Avx512Ops.Max(v, _low), _high)) + _zero);

        /// <summary>One channel's 16 int32 sums as a conv epilogue requantizes them: <c>(sum + bias) · scale</c>, then <see cref="Bytes(Vector512{float})"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<byte> Channel(Vector512<int> sums, int bias, float scale) =>
            Bytes(Vector512.ConvertToSingle(sums + Vector512.Create(bias)) * Vector512.Create(scale));

        /// <summary><c>vcvtps2dq</c> (round half to even) on values in int32 range; two ymm conversions where AVX-512 is emulated.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<int> RoundToInt32(Vector512<float> v) =>
            Avx512F.IsSupported ? Avx512F.ConvertToVector512Int32(v) : Vector512.Create(Avx.ConvertToVector256Int32(v.GetLower()), Avx.ConvertToVector256Int32(v.GetUpper()));
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>Operators of <see cref="QLinearBinary"/>: its <c>op</c> argument.</summary>
    public const int QLinearAdd = 0, QLinearMul = 1;

    /// <summary>
    /// DequantizeLinear(a), DequantizeLinear(b) → Add (<paramref name="op"/> <see cref="QLinearAdd"/>) or Mul
    /// (<see cref="QLinearMul"/>) → QuantizeLinear on uint8 bytes, with the unfused steps' float arithmetic in their order
    /// (<see cref="Dequantize"/>'s <c>(v − z) · s</c>, one IEEE add or multiply, <see cref="Quantize"/>'s divide, clamp and
    /// round half to even), so the same bytes without the float tensors between them: a MobileNetV3's residual Adds and
    /// squeeze-excite gates (x · hard-sigmoid). a is <paramref name="blocks"/> × <paramref name="inner"/> bytes; b as many
    /// (<paramref name="bPerBlock"/> 0) or one per block (1: a per-channel gate broadcast over its plane). y is uint8
    /// (<paramref name="ySigned"/> 0) or int8 (1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void QLinearBinary(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> y, int op, int blocks, int inner, int bPerBlock,
        int aZero, int bZero, int yZero, int ySigned, float aScale, float bScale, float yScale)
    {
        var count = (long)blocks * inner;
        if (a.Length < count || y.Length < count || b.Length < (bPerBlock != 0 ? blocks : count) || op is not (QLinearAdd or QLinearMul))
        {
            throw new ArgumentException("A quantized Add/Mul's operands are smaller than its shape, or its operator is unknown.");
        }

        var q = new QLinearQuantizer(yScale, yZero, ySigned != 0);
        fixed (byte* pa = a, pb = b, py = y)
        {
            for (var block = 0; block < blocks; block++)
            {
                var offset = (long)block * inner;
                if (bPerBlock != 0)
                {
                    var gate = ((float)pb[block] - bZero) * bScale;
                    QLinearBroadcastRun(pa + offset, gate, py + offset, inner, op, aZero, aScale, q);
                }
                else
                {
                    QLinearRun(pa + offset, pb + offset, py + offset, inner, op, aZero, bZero, aScale, bScale, q);
                }
            }
        }
    }

    /// <summary>One run of a ⊕ b, both with their own bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void QLinearRun(byte* a, byte* b, byte* y, int count, int op, int aZero, int bZero, float aScale, float bScale, in QLinearQuantizer q)
    {
        var i = QLinearRun512(a, b, y, count, op, aZero, bZero, aScale, bScale, q);
        if (Avx2.IsSupported)
        {
            var (za, sa, zb, sb) = (Vector256.Create((float)aZero), Vector256.Create(aScale), Vector256.Create((float)bZero), Vector256.Create(bScale));
            for (; i + 32 <= count; i += 32)
            {
                var (a0, a1, a2, a3) = DequantizeBytes32(a + i, signed: false, za, sa);
                var (b0, b1, b2, b3) = DequantizeBytes32(b + i, signed: false, zb, sb);
                var bytes = op == QLinearAdd
                    ? q.Pack(Avx.Add(a0, b0), Avx.Add(a1, b1), Avx.Add(a2, b2), Avx.Add(a3, b3))
                    : q.Pack(Avx.Multiply(a0, b0), Avx.Multiply(a1, b1), Avx.Multiply(a2, b2), Avx.Multiply(a3, b3));
                Avx.Store(y + i, bytes);
            }
        }

        for (; i < count; i++)
        {
            var (va, vb) = (((float)a[i] - aZero) * aScale, ((float)b[i] - bZero) * bScale);
            y[i] = q.Byte(op == QLinearAdd ? va + vb : va * vb);
        }
    }

    /// <summary>One run of a ⊕ <paramref name="gate"/> (b's dequantized value for the whole run).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void QLinearBroadcastRun(byte* a, float gate, byte* y, int count, int op, int aZero, float aScale, in QLinearQuantizer q)
    {
        var i = QLinearBroadcastRun512(a, gate, y, count, op, aZero, aScale, q);
        if (Avx2.IsSupported)
        {
            var (za, sa, g) = (Vector256.Create((float)aZero), Vector256.Create(aScale), Vector256.Create(gate));
            for (; i + 32 <= count; i += 32)
            {
                var (a0, a1, a2, a3) = DequantizeBytes32(a + i, signed: false, za, sa);
                var bytes = op == QLinearAdd
                    ? q.Pack(Avx.Add(a0, g), Avx.Add(a1, g), Avx.Add(a2, g), Avx.Add(a3, g))
                    : q.Pack(Avx.Multiply(a0, g), Avx.Multiply(a1, g), Avx.Multiply(a2, g), Avx.Multiply(a3, g));
                Avx.Store(y + i, bytes);
            }
        }

        for (; i < count; i++)
        {
            var va = ((float)a[i] - aZero) * aScale;
            y[i] = q.Byte(op == QLinearAdd ? va + gate : va * gate);
        }
    }

    /// <summary>
    /// <see cref="Quantize"/>'s arithmetic for one scale and zero point: <c>v / scale</c>, clamped to the type's range less
    /// the zero point (a NaN to its low end), rounded half to even, plus the zero point; 32 values at a time by
    /// <see cref="RequantizeAvx2"/> after the same divide.
    /// </summary>
    private readonly struct QLinearQuantizer(float scale, int zero, bool signed)
    {
        private readonly float _low = (signed ? -128f : 0f) - zero;
        private readonly float _high = (signed ? 127f : 255f) - zero;
        private readonly RequantizeAvx2 _pack = new(signed ? -128f : 0f, signed ? 127f : 255f, zero, signed);
        private readonly Vector256<float> _divisor = Vector256.Create(scale);

        private readonly RequantizeZmm _zmm = new(signed ? -128f : 0f, signed ? 127f : 255f, zero);
        private readonly Vector512<float> _divisor512 = Vector512.Create(scale);

        /// <summary>16 values as <see cref="Pack"/> quantizes them (the divide, then <see cref="RequantizeZmm"/>), to 16 bytes at <paramref name="y"/>: AVX-512F only.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void Store16(Vector512<float> v, byte* y) => _zmm.Bytes(Avx512F.Divide(v, _divisor512)).Store(y);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<byte> Pack(Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3) =>
            _pack.Pack(Avx.Divide(v0, _divisor), Avx.Divide(v1, _divisor), Avx.Divide(v2, _divisor), Avx.Divide(v3, _divisor));

        public byte Byte(float v)
        {
            var scaled = v / scale;
            var quantized = MathF.Round(scaled >= _low ? MathF.Min(scaled, _high) : _low) + zero;
            return signed ? (byte)(sbyte)quantized : (byte)quantized;
        }
    }
}

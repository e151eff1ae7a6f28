using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// QuantizeLinear over <c>[outer, axis, inner]</c> with one scale and zero point per axis
    /// index (per tensor: <c>axis = 1</c>): <c>y = saturate(round_half_even(x / scale) + zeroPoint)</c>
    /// to uint8, or int8 when <paramref name="signed"/> is 1 (y's bytes then hold sbyte values).
    /// The value is clamped to <c>[lo − zeroPoint, hi − zeroPoint]</c> before rounding: the same
    /// bytes (the bounds and zero points are integers), and a NaN gives the low bound on every path.
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> x, Span<byte> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> zeroPoint,
        int outer, int axis, int inner, int signed)
    {
        var lo = signed != 0 ? -128f : 0f;
        var hi = signed != 0 ? 127f : 255f;
        var i = 0;
        for (var o = 0; o < outer; o++)
        {
            for (var a = 0; a < axis; a++)
            {
                var s = scale[a];
                var z = zeroPoint[a];
                var e = QuantizeVectors(x.Slice(i, inner), y.Slice(i, inner), s, z, lo, hi);
                for (i += e; e < inner; e++, i++)
                {
                    var v = x[i] / s;
                    v = v >= lo - z ? MathF.Min(v, hi - z) : lo - z;
                    var q = MathF.Round(v) + z;
                    y[i] = signed != 0 ? (byte)(sbyte)q : (byte)q;
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Quantize"/> of one run with one scale, 16 values at a time: the scalar loop's
    /// float operations in its order (so the same bytes); a value in [−128, 127] narrowed to its
    /// low byte is the int8's two's complement. On AVX2 the clamp, round and narrowing are
    /// <see cref="RequantizeAvx2"/>'s (<c>vmaxps</c> gives the low bound for a NaN, as the loop
    /// does); the portable Min/Max/Round/Narrow took ~4× the instructions (the digits CNN's input
    /// quantization at batch 64). Returns the values done.
    /// </summary>
    // Fully optimized from the first call: at tier 0 its vector code is several times slower, and a short run may never tier up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int QuantizeVectors(ReadOnlySpan<float> x, Span<byte> y, float scale, float zeroPoint, float lo, float hi)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return 0;
        }

        var i = 0;
        if (Avx2.IsSupported && zeroPoint == (short)zeroPoint)
        {
            var requantize = new RequantizeAvx2(lo, hi, (short)zeroPoint, signed: lo < 0);
            var divisor = Vector256.Create(scale);
            fixed (float* px = x)
            fixed (byte* py = y)
            {
                for (; i + 32 <= x.Length; i += 32)
                {
                    requantize.Pack(Avx.Divide(Avx.LoadVector256(px + i), divisor), Avx.Divide(Avx.LoadVector256(px + i + 8), divisor),
                        Avx.Divide(Avx.LoadVector256(px + i + 16), divisor), Avx.Divide(Avx.LoadVector256(px + i + 24), divisor)).Store(py + i);
                }
            }
        }

        var (s, z, low, high) = (Vector256.Create(scale), Vector256.Create(zeroPoint), Vector256.Create(lo - zeroPoint), Vector256.Create(hi - zeroPoint));
        for (; i + 16 <= x.Length; i += 16)
        {
            var v0 = Clamp(Vector256.Create(x.Slice(i, 8)) / s);
            var v1 = Clamp(Vector256.Create(x.Slice(i + 8, 8)) / s);
            var shorts = Vector256.Narrow(Vector256.ConvertToInt32(Vector256.Round(v0) + z), Vector256.ConvertToInt32(Vector256.Round(v1) + z)).AsUInt16();
            Vector128.Narrow(shorts.GetLower(), shorts.GetUpper()).CopyTo(y.Slice(i, 16));
        }

        return i;

        // As the scalar loop: a NaN fails the comparison and takes the low bound.
        Vector256<float> Clamp(Vector256<float> v) => Vector256.Min(Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(v, low), v, low), high);
    }

    /// <summary>
    /// DequantizeLinear over <c>[outer, axis, inner]</c>: <c>y = (x - zeroPoint) · scale</c>.
    /// x is uint8 (<paramref name="type"/> 0), int8 (1) or int32 (2, four bytes per element).
    /// </summary>
    public static void Dequantize(ReadOnlySpan<byte> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> zeroPoint,
        int outer, int axis, int inner, int type)
    {
        var ints = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(x);
        var i = 0;
        for (var o = 0; o < outer; o++)
        {
            for (var a = 0; a < axis; a++)
            {
                var s = scale[a];
                var z = zeroPoint[a];
                var e = type == 2 ? 0 : DequantizeVectors(x.Slice(i, inner), y.Slice(i, inner), s, z, signed: type == 1);
                for (i += e; e < inner; e++, i++)
                {
                    float v = type switch { 0 => x[i], 1 => (sbyte)x[i], _ => ints[i] };
                    y[i] = (v - z) * s;
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Dequantize"/> of one run of bytes with one scale, 32 values at a time: each byte
    /// widened to an int32 and converted exactly, then the scalar loop's (v − z) · s (so the same floats).
    /// The OCR classifier's int8 program dequantizes around every grouped convolution and activation:
    /// the per-element loop with its type switch was most of those steps. Returns the values done.
    /// </summary>
    private static unsafe int DequantizeVectors(ReadOnlySpan<byte> x, Span<float> y, float scale, float zeroPoint, bool signed)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return 0;
        }

        var (s, z) = (Vector256.Create(scale), Vector256.Create(zeroPoint));
        var i = 0;
        fixed (byte* px = x)
        fixed (float* py = y)
        {
            for (; i + 32 <= x.Length; i += 32)
            {
                var (v0, v1, v2, v3) = DequantizeBytes32(px + i, signed, z, s);
                v0.Store(py + i);
                v1.Store(py + i + 8);
                v2.Store(py + i + 16);
                v3.Store(py + i + 24);
            }
        }

        return i;
    }

    /// <summary>
    /// 32 bytes (uint8, or int8 when <paramref name="signed"/>) as four vectors of <c>(v − z) · s</c>, in order: each byte
    /// widened to an int32 and converted exactly, then the scalar loop's subtract and multiply (so the same floats).
    /// <see cref="Dequantize"/> and <see cref="QLinearBinary"/> both read their bytes through it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe (Vector256<float>, Vector256<float>, Vector256<float>, Vector256<float>) DequantizeBytes32(byte* x, bool signed, Vector256<float> z, Vector256<float> s)
    {
        if (Avx2.IsSupported)
        {
            // vpmovzxbd / vpmovsxbd straight from memory: 4 instructions where the widenings through int16 took 11.
            return signed
                ? (Scaled(Avx2.ConvertToVector256Int32((sbyte*)x)), Scaled(Avx2.ConvertToVector256Int32((sbyte*)x + 8)),
                    Scaled(Avx2.ConvertToVector256Int32((sbyte*)x + 16)), Scaled(Avx2.ConvertToVector256Int32((sbyte*)x + 24)))
                : (Scaled(Avx2.ConvertToVector256Int32(x)), Scaled(Avx2.ConvertToVector256Int32(x + 8)),
                    Scaled(Avx2.ConvertToVector256Int32(x + 16)), Scaled(Avx2.ConvertToVector256Int32(x + 24)));
        }

        var bytes = Vector256.Load(x);
        var (low, high) = signed
            ? (Vector256.WidenLower(bytes.AsSByte()), Vector256.WidenUpper(bytes.AsSByte()))
            : (Vector256.WidenLower(bytes).AsInt16(), Vector256.WidenUpper(bytes).AsInt16()); // 0..255 fits an int16
        return (Scaled(Vector256.WidenLower(low)), Scaled(Vector256.WidenUpper(low)), Scaled(Vector256.WidenLower(high)), Scaled(Vector256.WidenUpper(high)));

        Vector256<float> Scaled(Vector256<int> v) => (Vector256.ConvertToSingle(v) - z) * s;
    }
}

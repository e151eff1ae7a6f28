using System.Runtime.Intrinsics;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// QuantizeLinear over <c>[outer, axis, inner]</c> with one scale and zero point per axis
    /// index (per tensor: <c>axis = 1</c>): <c>y = saturate(round_half_even(x / scale) + zeroPoint)</c>
    /// to uint8, or int8 when <paramref name="signed"/> is 1 (y's bytes then hold sbyte values).
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
                    var q = MathF.Min(MathF.Max(MathF.Round(x[i] / s) + z, lo), hi);
                    y[i] = signed != 0 ? (byte)(sbyte)q : (byte)q;
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Quantize"/> of one run with one scale, 16 values at a time: the scalar loop's
    /// float operations in its order (so the same bytes); a value in [−128, 127] narrowed to its
    /// low byte is the int8's two's complement. Returns the values done.
    /// </summary>
    private static int QuantizeVectors(ReadOnlySpan<float> x, Span<byte> y, float scale, float zeroPoint, float lo, float hi)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return 0;
        }

        var (s, z, low, high) = (Vector256.Create(scale), Vector256.Create(zeroPoint), Vector256.Create(lo), Vector256.Create(hi));
        var i = 0;
        for (; i + 16 <= x.Length; i += 16)
        {
            var v0 = Vector256.Min(Vector256.Max(Vector256.Round(Vector256.Create(x.Slice(i, 8)) / s) + z, low), high);
            var v1 = Vector256.Min(Vector256.Max(Vector256.Round(Vector256.Create(x.Slice(i + 8, 8)) / s) + z, low), high);
            var shorts = Vector256.Narrow(Vector256.ConvertToInt32(v0), Vector256.ConvertToInt32(v1)).AsUInt16();
            Vector128.Narrow(shorts.GetLower(), shorts.GetUpper()).CopyTo(y.Slice(i, 16));
        }

        return i;
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
    private static int DequantizeVectors(ReadOnlySpan<byte> x, Span<float> y, float scale, float zeroPoint, bool signed)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return 0;
        }

        var (s, z) = (Vector256.Create(scale), Vector256.Create(zeroPoint));
        var i = 0;
        for (; i + 32 <= x.Length; i += 32)
        {
            var bytes = Vector256.Create(x.Slice(i, 32));
            var (low, high) = signed
                ? (Vector256.WidenLower(bytes.AsSByte()), Vector256.WidenUpper(bytes.AsSByte()))
                : (Vector256.WidenLower(bytes).AsInt16(), Vector256.WidenUpper(bytes).AsInt16()); // 0..255 fits an int16
            Store(Vector256.WidenLower(low), y.Slice(i));
            Store(Vector256.WidenUpper(low), y.Slice(i + 8));
            Store(Vector256.WidenLower(high), y.Slice(i + 16));
            Store(Vector256.WidenUpper(high), y.Slice(i + 24));
        }

        return i;

        void Store(Vector256<int> values, Span<float> to) => ((Vector256.ConvertToSingle(values) - z) * s).CopyTo(to);
    }
}

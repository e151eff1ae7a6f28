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
                for (var e = 0; e < inner; e++, i++)
                {
                    var q = MathF.Min(MathF.Max(MathF.Round(x[i] / s) + z, lo), hi);
                    y[i] = signed != 0 ? (byte)(sbyte)q : (byte)q;
                }
            }
        }
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
                for (var e = 0; e < inner; e++, i++)
                {
                    float v = type switch { 0 => x[i], 1 => (sbyte)x[i], _ => ints[i] };
                    y[i] = (v - z) * s;
                }
            }
        }
    }
}

namespace Optimizer.Runtime.Tests;

/// <summary>
/// QLinearConv's output step, as the int8 conv tests' plain-loop references write it: the float
/// result as is (output kind 2, Relu at 0), else rounded half to even, shifted by the zero point and
/// clamped to uint8 (kind 0) or int8 (kind 1), Relu clamping below at the zero point.
/// </summary>
internal static class QuantizedOutputReference
{
    public static void Write(byte[] y, int index, float v, int outputKind, int relu, int yZero)
    {
        if (outputKind == 2)
        {
            BitConverter.TryWriteBytes(y.AsSpan(index * 4), relu == 1 ? MathF.Max(v, 0f) : v);
            return;
        }

        float lo = outputKind == 1 ? -128 : 0, hi = outputKind == 1 ? 127 : 255;
        lo = relu == 1 ? Math.Max(lo, yZero) : lo;
        var q = MathF.Min(MathF.Max(MathF.Round(v) + yZero, lo), hi);
        y[index] = outputKind == 1 ? (byte)(sbyte)q : (byte)q;
    }
}

using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// <see cref="Kernels.Dequantize"/> against <c>(x − zeroPoint) · scale</c> computed value by value,
/// bit for bit: uint8 and int8 (the 32-byte vector path and its scalar tail) and int32, per tensor
/// and per channel at run lengths around the vector width, every byte value present (run with
/// DOTNET_EnableHWIntrinsic=0 it checks the scalar loop alone).
/// </summary>
public class DequantizeKernelTests
{
    [Theory]
    [InlineData(0, 1, 1, 1)]
    [InlineData(0, 1, 1, 300)]   // per tensor: nine vectors and a tail of 12
    [InlineData(1, 1, 1, 300)]
    [InlineData(0, 2, 3, 67)]    // per channel, runs of two vectors and a 3-value tail
    [InlineData(1, 2, 3, 32)]
    [InlineData(1, 3, 5, 31)]    // runs shorter than a vector
    [InlineData(2, 2, 3, 45)]    // int32: the scalar loop
    public void Each_value_is_its_scalar_dequantization(int type, int outer, int axis, int inner)
    {
        var count = outer * axis * inner;
        var width = type == 2 ? 4 : 1;
        var x = new byte[count * width];
        new Random(count + type).NextBytes(x);
        for (var i = 0; i < Math.Min(256, x.Length); i++)
        {
            x[i] = (byte)i;
        }

        var scale = Enumerable.Range(0, axis).Select(a => 0.0123f * (a + 1) + 1e-4f).ToArray();
        var zero = Enumerable.Range(0, axis).Select(a => type == 1 ? a - 3f : 128f - 7 * a).ToArray();
        var y = new float[count + 1];
        y[count] = 42f; // past the end: untouched

        Kernels.Dequantize(x, y, scale, zero, outer, axis, inner, type);

        var ints = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(x);
        for (var i = 0; i < count; i++)
        {
            var a = i / inner % axis;
            float v = type switch { 0 => x[i], 1 => (sbyte)x[i], _ => ints[i] };
            Assert.Equal(BitConverter.SingleToInt32Bits((v - zero[a]) * scale[a]), BitConverter.SingleToInt32Bits(y[i]));
        }

        Assert.Equal(42f, y[count]);
    }
}

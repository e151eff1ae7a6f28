using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// <see cref="Kernels.Quantize"/> against the QuantizeLinear definition computed value by value,
/// <c>saturate(round_half_even(x / scale) + zeroPoint)</c>: uint8 and int8, per tensor and per
/// channel, run lengths around the AVX2 (32) and portable (16) vector widths and their scalar
/// tails, with exact halves (ties to even), values far past both bounds, infinities and zero points
/// at the range ends (run with DOTNET_EnableHWIntrinsic=0 it checks the scalar loop alone).
/// </summary>
public class QuantizeKernelTests
{
    [Theory]
    [InlineData(0, 1, 1, 1)]
    [InlineData(0, 1, 1, 301)]   // per tensor: nine AVX2 vectors, a portable one and a scalar tail
    [InlineData(1, 1, 1, 301)]
    [InlineData(0, 2, 3, 67)]    // per channel: runs of two AVX2 vectors and a 3-value tail
    [InlineData(1, 2, 3, 48)]    // one AVX2 vector and one portable vector
    [InlineData(1, 3, 5, 31)]    // runs shorter than an AVX2 vector
    [InlineData(0, 3, 2, 15)]    // shorter than any vector
    public void Each_value_is_its_quantization(int signed, int outer, int axis, int inner)
    {
        var count = outer * axis * inner;
        var random = new Random(count + signed);
        var scale = Enumerable.Range(0, axis).Select(a => 0.03125f * (a + 1)).ToArray(); // powers of two: x / s is exact, so halves stay halves
        // Zero points at and near the range ends: everything saturates one way or the other there.
        var zero = Enumerable.Range(0, axis).Select(a => signed == 1 ? new[] { -128f, 3f, 127f, -5f, 0f }[a % 5] : new[] { 0f, 128f, 255f, 7f, 200f }[a % 5]).ToArray();
        var x = new float[count];
        for (var i = 0; i < count; i++)
        {
            var s = scale[i / inner % axis];
            x[i] = (i % 7) switch
            {
                0 => (random.Next(-300, 300) + 0.5f) * s, // a tie: rounds to the even neighbour
                1 => random.Next(-2000, 2000) * s,        // far past both bounds for most zero points
                2 => i % 2 == 0 ? float.PositiveInfinity : float.NegativeInfinity,
                _ => (float)(random.NextDouble() * 600 - 300) * s,
            };
        }

        var y = new byte[count + 1];
        y[count] = 42; // past the end: untouched

        Kernels.Quantize(x, y, scale, zero, outer, axis, inner, signed);

        var (lo, hi) = signed == 1 ? (-128, 127) : (0, 255);
        for (var i = 0; i < count; i++)
        {
            var a = i / inner % axis;
            var rounded = Math.Round((double)(x[i] / scale[a]), MidpointRounding.ToEven) + zero[a];
            var expected = (int)Math.Clamp(rounded, lo, hi);
            Assert.True(expected == (signed == 1 ? (sbyte)y[i] : y[i]), $"x[{i}] = {x[i]}, scale {scale[a]}, zero {zero[a]}: expected {expected}, got {(signed == 1 ? (sbyte)y[i] : y[i])}");
        }

        Assert.Equal(42, y[count]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_NaN_takes_the_low_bound_on_every_path(int signed)
    {
        // 40 values: the AVX2 vector, the portable one's scalar tail; NaN in each.
        var x = Enumerable.Range(0, 40).Select(i => i % 9 == 0 ? float.NaN : i).ToArray();
        var y = new byte[x.Length];

        Kernels.Quantize(x, y, [1f], [signed == 1 ? 0f : 10f], 1, 1, x.Length, signed);

        for (var i = 0; i < x.Length; i++)
        {
            int expected = i % 9 == 0 ? (signed == 1 ? -128 : 0) : Math.Min(i + (signed == 1 ? 0 : 10), signed == 1 ? 127 : 255);
            Assert.Equal(expected, signed == 1 ? (sbyte)y[i] : y[i]);
        }
    }
}

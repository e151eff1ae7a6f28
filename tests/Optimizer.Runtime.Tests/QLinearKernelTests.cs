using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// <see cref="Kernels.QLinearBinary"/> byte for byte against the steps it replaces (<see cref="Kernels.Dequantize"/> of each
/// operand, the float add or multiply, <see cref="Kernels.Quantize"/>), and <see cref="Kernels.QLinearGlobalAveragePool"/>
/// against the mean of the plane computed in doubles: runs around the 32-byte blocks, zero points at both ends, uint8 and
/// int8 outputs saturating at both ends, and a per-block b (the squeeze-excite gate over its channel's plane).
/// </summary>
public class QLinearKernelTests
{
    // op, blocks, inner, b per block, aZero, bZero, yZero, y signed, yScale
    [Theory]
    [InlineData(Kernels.QLinearAdd, 1, 1, 0, 0, 255, 3, 0, 0.05f)]
    [InlineData(Kernels.QLinearAdd, 1, 33, 0, 128, 7, 128, 0, 0.02f)]
    [InlineData(Kernels.QLinearAdd, 3, 77, 0, 255, 0, 0, 1, 0.01f)] // int8 out, clamped at both ends
    [InlineData(Kernels.QLinearMul, 1, 32, 0, 5, 200, 17, 0, 0.003f)]
    [InlineData(Kernels.QLinearMul, 7, 95, 1, 0, 0, 0, 0, 0.01f)] // the gate: one b per channel
    [InlineData(Kernels.QLinearMul, 5, 31, 1, 133, 250, 60, 1, 0.002f)]
    [InlineData(Kernels.QLinearAdd, 4, 64, 1, 9, 128, 250, 0, 0.04f)]
    [InlineData(Kernels.QLinearMul, 2, 300, 0, 77, 1, 128, 0, 0.0005f)] // outputs far past the range: saturated
    public void Binary_gives_the_bytes_of_the_unfused_steps(int op, int blocks, int inner, int bPerBlock, int aZero, int bZero, int yZero, int ySigned, float yScale)
    {
        var random = new Random(op * 1000 + blocks * 31 + inner);
        var count = blocks * inner;
        var a = RandomBytes(random, count);
        var b = RandomBytes(random, bPerBlock != 0 ? blocks : count);
        const float aScale = 0.037f, bScale = 0.011f;
        var y = new byte[count + 1];
        y[count] = 0xA5; // past the end: untouched

        Kernels.QLinearBinary(a, b, y, op, blocks, inner, bPerBlock, aZero, bZero, yZero, ySigned, aScale, bScale, yScale);

        var fa = Dequantized(a, aScale, aZero);
        var fb = Dequantized(b, bScale, bZero);
        var sums = Enumerable.Range(0, count).Select(i => (fa[i], fb[bPerBlock != 0 ? i / inner : i]) is var (u, v) ? op == Kernels.QLinearAdd ? u + v : u * v : 0f).ToArray();
        var expected = new byte[count];
        Kernels.Quantize(sums, expected, [yScale], [yZero], 1, 1, count, ySigned);
        Assert.True(expected.AsSpan().SequenceEqual(y.AsSpan(0, count)), $"{KernelDispatch.Current}: first difference at byte {FirstDifference(expected, y)}");
        Assert.Equal(0xA5, y[count]);
        if (yScale < 0.001f)
        {
            Assert.Contains(ySigned != 0 ? (byte)0x80 : (byte)0, expected);
            Assert.Contains(ySigned != 0 ? (byte)0x7F : (byte)255, expected);
        }
    }

    // nc, spatial, xZero, yZero, y signed, yScale
    [Theory]
    [InlineData(1, 1, 0, 0, 0, 0.01f)]
    [InlineData(3, 31, 255, 128, 0, 0.02f)]
    [InlineData(8, 2304, 117, 3, 0, 0.003f)] // the classifier's first squeeze pool: 24 × 96 planes
    [InlineData(200, 192, 0, -9, 1, 0.004f)]
    [InlineData(5, 65, 128, 128, 0, 0.0002f)] // means far past the range: saturated
    public void Global_average_pool_rounds_the_exact_mean(int nc, int spatial, int xZero, int yZero, int ySigned, float yScale)
    {
        var random = new Random(nc * 7 + spatial);
        // Each plane around its own level, so the means spread over the output range.
        var x = Enumerable.Range(0, nc * spatial).Select(i => (byte)Math.Clamp(i / spatial * 53 % 256 + random.Next(-40, 41), 0, 255)).ToArray();
        const float xScale = 0.021f;
        var y = new byte[nc + 1];
        y[nc] = 0xA5;

        Kernels.QLinearGlobalAveragePool(x, y, nc, spatial, xZero, yZero, ySigned, xScale, yScale);

        var (lo, hi) = ySigned != 0 ? (-128, 127) : (0, 255);
        for (var plane = 0; plane < nc; plane++)
        {
            var mean = x.Skip(plane * spatial).Take(spatial).Sum(v => (double)(v - xZero)) * xScale / spatial;
            var exact = Math.Clamp(Math.Round(mean / yScale, MidpointRounding.ToEven) + yZero, lo, hi);
            var actual = ySigned != 0 ? (int)(sbyte)y[plane] : y[plane];
            // float32 scale arithmetic: a mean within float rounding of a half step may round the other way.
            Assert.True(Math.Abs(actual - exact) <= (Math.Abs(mean / yScale - Math.Floor(mean / yScale) - 0.5) < 1e-4 ? 1 : 0),
                $"{KernelDispatch.Current}: plane {plane}: {actual}, the exact mean rounds to {exact}");
        }

        Assert.Equal(0xA5, y[nc]);
    }

    [Fact]
    public void Refuses_operands_smaller_than_the_shape()
    {
        Assert.Throws<ArgumentException>(() => Kernels.QLinearBinary(new byte[10], new byte[9], new byte[10], Kernels.QLinearAdd, 1, 10, 0, 0, 0, 0, 0, 1, 1, 1));
        Assert.Throws<ArgumentException>(() => Kernels.QLinearBinary(new byte[10], new byte[1], new byte[10], 7, 1, 10, 1, 0, 0, 0, 0, 1, 1, 1));
        Assert.Throws<ArgumentException>(() => Kernels.QLinearGlobalAveragePool(new byte[10], new byte[2], 2, 6, 0, 0, 0, 1, 1));
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static float[] Dequantized(byte[] x, float scale, int zero)
    {
        var y = new float[x.Length];
        Kernels.Dequantize(x, y, [scale], [zero], 1, 1, x.Length, 0);
        return y;
    }

    private static int FirstDifference(byte[] a, byte[] b) => Enumerable.Range(0, a.Length).FirstOrDefault(i => a[i] != b[i], -1);
}

using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests.Emulated;

/// <summary>
/// Each <see cref="Avx512Ops"/> instruction against its definition in Intel's manual, lane by lane,
/// on the values where a careless version goes wrong: saturation and wrap-around, index bits above
/// the table, NaN and signed zeros, truncation against saturation. On a CPU without the instruction
/// this checks the software version the forced-table tests rely on; on one with it, the definition.
/// Where AVX2 has the same instruction on ymm, the software version must also give its bits.
/// </summary>
public sealed class Avx512OpsTests
{
    private static readonly Random Seeded = new(15);

    [Fact]
    public void Fused_multiply_add_rounds_once()
    {
        for (var round = 0; round < 50; round++)
        {
            var (a, b, c) = (Floats(), Floats(), Floats());
            // 1 + 2⁻²³ squared less 1 + 2⁻²²: only a single rounding keeps the 2⁻⁴⁶.
            a = a.WithElement(0, 1 + MathF.Pow(2, -23));
            b = b.WithElement(0, 1 + MathF.Pow(2, -23));
            c = c.WithElement(0, -(1 + MathF.Pow(2, -22)));
            var r = Avx512Ops.FusedMultiplyAdd(a, b, c);
            for (var i = 0; i < 16; i++)
            {
                Assert.Equal(MathF.FusedMultiplyAdd(a[i], b[i], c[i]), r[i]);
            }
        }
    }

    [Fact]
    public void Max_and_min_return_the_second_operand_on_nan_and_equal_lanes()
    {
        float[] edges = [float.NaN, 0f, -0f, 1f, -1f, float.PositiveInfinity, float.NegativeInfinity, 3.5f];
        for (var shift = 0; shift < 64; shift += 16)
        {
            var l = Vector512.Create(Enumerable.Range(shift, 16).Select(i => edges[i / 8 % 8]).ToArray());
            var r = Vector512.Create(Enumerable.Range(shift, 16).Select(i => edges[i % 8]).ToArray());
            var (max, min) = (Avx512Ops.Max(l, r), Avx512Ops.Min(l, r));
            for (var i = 0; i < 16; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(l[i] > r[i] ? l[i] : r[i]), BitConverter.SingleToInt32Bits(max[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(l[i] < r[i] ? l[i] : r[i]), BitConverter.SingleToInt32Bits(min[i]));
            }
        }
    }

    [Fact]
    public void Float_permutes_read_only_their_index_bits()
    {
        for (var round = 0; round < 50; round++)
        {
            var (lower, upper) = (Floats(), Floats());
            var control = Vector512.Create(Enumerable.Range(0, 16).Select(_ => Seeded.Next(int.MinValue, int.MaxValue)).ToArray());
            var (one, two) = (Avx512Ops.PermuteVar16x32(lower, control), Avx512Ops.PermuteVar16x32x2(lower, control, upper));
            for (var i = 0; i < 16; i++)
            {
                var index = control[i] & 15;
                Assert.Equal(lower[index], one[i]);
                Assert.Equal((control[i] & 16) != 0 ? upper[index] : lower[index], two[i]);
            }
        }
    }

    [Fact]
    public void Byte_permute_reads_six_index_bits_and_the_table_bit()
    {
        for (var round = 0; round < 20; round++)
        {
            var (lower, upper, control) = (Bytes(), Bytes(), Bytes());
            var r = Avx512Ops.PermuteVar64x8x2(lower, control, upper);
            for (var i = 0; i < 64; i++)
            {
                var index = control[i] & 63;
                Assert.Equal((control[i] & 64) != 0 ? upper[index] : lower[index], r[i]);
            }
        }
    }

    [Fact]
    public void Int_to_byte_truncates()
    {
        int[] values = [0, 1, 127, 128, 255, 256, 300, -1, -128, -129, int.MinValue, int.MaxValue, 65535, 0x12345678, -300, 77];
        var r = Avx512Ops.ConvertToVector128Byte(Vector512.Create(values));
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(unchecked((byte)values[i]), r[i]);
        }
    }

    [Fact]
    public void Byte_pair_products_saturate_to_int16()
    {
        for (var round = 0; round < 50; round++)
        {
            var (unsigned, signed) = (Bytes(), Bytes().AsSByte());
            if (round == 0)
            {
                // 255·127 twice and 255·(−128) twice: past both int16 bounds.
                (unsigned, signed) = (Vector512.Create((byte)255), Vector512.Create(Enumerable.Range(0, 64).Select(i => (sbyte)(i < 32 ? 127 : -128)).ToArray()));
            }

            var r = Avx512Ops.MultiplyAddAdjacent(unsigned, signed);
            for (var i = 0; i < 32; i++)
            {
                var sum = unsigned[2 * i] * signed[2 * i] + unsigned[2 * i + 1] * signed[2 * i + 1];
                Assert.Equal((short)Math.Clamp(sum, short.MinValue, short.MaxValue), r[i]);
            }

            if (Avx2.IsSupported)
            {
                Assert.Equal(Avx2.MultiplyAddAdjacent(unsigned.GetLower(), signed.GetLower()), r.GetLower());
                Assert.Equal(Avx2.MultiplyAddAdjacent(unsigned.GetUpper(), signed.GetUpper()), r.GetUpper());
            }
        }
    }

    [Fact]
    public void Short_pair_products_wrap_in_int32()
    {
        for (var round = 0; round < 50; round++)
        {
            var (left, right) = (Bytes().AsInt16(), Bytes().AsInt16());
            if (round == 0)
            {
                (left, right) = (Vector512.Create(short.MinValue), Vector512.Create(short.MinValue)); // 2 · 2³⁰ wraps to int.MinValue
            }

            var r = Avx512Ops.MultiplyAddAdjacent(left, right);
            for (var i = 0; i < 16; i++)
            {
                Assert.Equal(unchecked((int)((long)left[2 * i] * right[2 * i] + (long)left[2 * i + 1] * right[2 * i + 1])), r[i]);
            }

            if (Avx2.IsSupported)
            {
                Assert.Equal(Avx2.MultiplyAddAdjacent(left.GetLower(), right.GetLower()), r.GetLower());
                Assert.Equal(Avx2.MultiplyAddAdjacent(left.GetUpper(), right.GetUpper()), r.GetUpper());
            }
        }
    }

    [Fact]
    public void Quad_products_add_without_saturating()
    {
        for (var round = 0; round < 50; round++)
        {
            var (unsigned, signed) = (Bytes().GetLower(), Bytes().GetLower().AsSByte());
            var addend = Vector256.Create(Enumerable.Range(0, 8).Select(_ => Seeded.Next(int.MinValue, int.MaxValue)).ToArray());
            if (round == 0)
            {
                // int.MaxValue plus four 255·127: vpdpbusd wraps (vpdpbusds would saturate).
                (unsigned, signed, addend) = (Vector256.Create((byte)255), Vector256.Create((sbyte)127), Vector256.Create(int.MaxValue));
            }

            var r = Avx512Ops.MultiplyWideningAndAdd(addend, unsigned, signed);
            for (var i = 0; i < 8; i++)
            {
                long sum = addend[i];
                for (var k = 4 * i; k < 4 * i + 4; k++)
                {
                    sum += unsigned[k] * signed[k];
                }

                Assert.Equal(unchecked((int)sum), r[i]);
            }
        }
    }

    private static Vector512<float> Floats() => Vector512.Create(Enumerable.Range(0, 16).Select(_ => (float)(Seeded.NextDouble() * 8 - 4)).ToArray());

    private static Vector512<byte> Bytes()
    {
        var bytes = new byte[64];
        Seeded.NextBytes(bytes);
        return Vector512.Create(bytes);
    }
}

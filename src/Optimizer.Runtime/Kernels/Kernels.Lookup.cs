using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// <c>y[i] = table[x[i]]</c> over <paramref name="count"/> bytes with a 256-byte table: a
    /// quantized chain of non-decreasing ops (DequantizeLinear → LeakyRelu/Max/… → QuantizeLinear)
    /// the compiler evaluated for every input byte.
    /// </summary>
    public static void LookupU8(ReadOnlySpan<byte> x, Span<byte> y, ReadOnlySpan<byte> table, int count)
    {
        x = x.Slice(0, count);
        y = y.Slice(0, count);
        table = table.Slice(0, 256);
        var i = 0;
        if (Avx512Vbmi.IsSupported && count >= 64)
        {
            i = LookupVbmi(x, y, table);
        }
        else if (Avx2.IsSupported && count >= 32)
        {
            i = LookupAvx2(x, y, table);
        }

        for (; i < count; i++)
        {
            y[i] = table[x[i]];
        }
    }

    /// <summary>
    /// 64 bytes at a time: <c>vpermi2b</c> looks each byte up in both 128-byte halves of the
    /// table (it reads the low 7 bits), and the byte's top bit picks the half. Returns the bytes done.
    /// </summary>
    private static int LookupVbmi(ReadOnlySpan<byte> x, Span<byte> y, ReadOnlySpan<byte> table)
    {
        var t0 = Vector512.Create(table[..64]);
        var t1 = Vector512.Create(table[64..128]);
        var t2 = Vector512.Create(table[128..192]);
        var t3 = Vector512.Create(table[192..]);
        var top = Vector512.Create((byte)0x80);
        var i = 0;
        for (; i + 64 <= x.Length; i += 64)
        {
            var v = Vector512.Create(x[i..]);
            var low = Avx512Vbmi.PermuteVar64x8x2(t0, v, t1);
            var high = Avx512Vbmi.PermuteVar64x8x2(t2, v, t3);
            var upper = Vector512.Equals(v & top, top);
            Vector512.ConditionalSelect(upper, high, low).CopyTo(y[i..]);
        }

        return i;
    }

    /// <summary>
    /// 32 bytes at a time on AVX2: the table as 16 rows of 16 bytes, each looked up by <c>vpshufb</c>
    /// with the index <c>x − 16·row</c> raised by 0x70 with unsigned saturation, so only the bytes of
    /// that row keep the top bit clear (the others read as 0), and the rows OR together. Returns the bytes done.
    /// </summary>
    private static unsafe int LookupAvx2(ReadOnlySpan<byte> x, Span<byte> y, ReadOnlySpan<byte> table)
    {
        var rows = stackalloc Vector256<byte>[16];
        for (var row = 0; row < 16; row++)
        {
            var line = Vector128.Create(table.Slice(row * 16, 16));
            rows[row] = Vector256.Create(line, line);
        }

        var (step, raise) = (Vector256.Create((byte)16), Vector256.Create((byte)0x70));
        var i = 0;
        for (; i + 32 <= x.Length; i += 32)
        {
            var index = Vector256.Create(x[i..]);
            var result = Vector256<byte>.Zero;
            for (var row = 0; row < 16; row++, index = Avx2.Subtract(index, step))
            {
                result = Avx2.Or(result, Avx2.Shuffle(rows[row], Avx2.AddSaturate(index, raise)));
            }

            result.CopyTo(y[i..]);
        }

        return i;
    }
}

using System.Runtime.CompilerServices;
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
        if (KernelDispatch.Current.Avx512Vbmi && count >= 64)
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
            var low = Avx512Ops.PermuteVar64x8x2(t0, v, t1);
            var high = Avx512Ops.PermuteVar64x8x2(t2, v, t3);
            var upper = Vector512.Equals(v & top, top);
            Vector512.ConditionalSelect(upper, high, low).CopyTo(y[i..]);
        }

        return i;
    }

    /// <summary>
    /// 32 bytes at a time on AVX2: the table as 16 rows of 16 bytes, each looked up by <c>vpshufb</c>
    /// with the byte's low nibble, then the row its high nibble names picked by a tree of 15
    /// <c>vpblendvb</c> (one level per bit, 4 to 7, each moved to the top of its byte by a word
    /// shift: the bits a shift carries in from the neighbouring byte stay below the top). About half
    /// the instructions of raising a per-row index (sub, add, shuffle, or per row), so the wake-word
    /// model's lookups after each convolution cost half as much. Returns the bytes done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int LookupAvx2(ReadOnlySpan<byte> x, Span<byte> y, ReadOnlySpan<byte> table)
    {
        var rows = stackalloc Vector256<byte>[16];
        for (var row = 0; row < 16; row++)
        {
            var line = Vector128.Create(table.Slice(row * 16, 16));
            rows[row] = Vector256.Create(line, line);
        }

        var nibble = Vector256.Create((byte)0x0F);
        var i = 0;
        for (; i + 32 <= x.Length; i += 32)
        {
            var index = Vector256.Create(x[i..]);
            var low = Avx2.And(index, nibble);
            // Bit 4 picks within each row pair, bit 5 within pairs of pairs, … bit 7 (already on top) between the halves.
            var (bit4, bit5, bit6) = (Avx2.ShiftLeftLogical(index.AsUInt16(), 3).AsByte(), Avx2.ShiftLeftLogical(index.AsUInt16(), 2).AsByte(),
                Avx2.ShiftLeftLogical(index.AsUInt16(), 1).AsByte());
            var quarter0 = Avx2.BlendVariable(Pair(rows, 0, low, bit4), Pair(rows, 2, low, bit4), bit5);
            var quarter1 = Avx2.BlendVariable(Pair(rows, 4, low, bit4), Pair(rows, 6, low, bit4), bit5);
            var quarter2 = Avx2.BlendVariable(Pair(rows, 8, low, bit4), Pair(rows, 10, low, bit4), bit5);
            var quarter3 = Avx2.BlendVariable(Pair(rows, 12, low, bit4), Pair(rows, 14, low, bit4), bit5);
            Avx2.BlendVariable(Avx2.BlendVariable(quarter0, quarter1, bit6), Avx2.BlendVariable(quarter2, quarter3, bit6), index).CopyTo(y[i..]);
        }

        return i;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<byte> Pair(Vector256<byte>* rows, int row, Vector256<byte> low, Vector256<byte> bit4) =>
            Avx2.BlendVariable(Avx2.Shuffle(rows[row], low), Avx2.Shuffle(rows[row + 1], low), bit4);
    }
}

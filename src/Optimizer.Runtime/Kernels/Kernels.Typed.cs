using System.Numerics;
using System.Runtime.InteropServices;

namespace Optimizer.Runtime.Compiled;

// The kernels over tensors of any element type (int64 ids, bool masks, int32, float): operands are
// bytes, the element type is an argument (a KernelElementType number), so the schedule and the
// generated code need no view per type.
public static partial class Kernels
{
    /// <summary>
    /// Writes y (contiguous, <paramref name="dims"/>) from x's elements at <paramref name="start"/> +
    /// Σ index·stride (strides in elements, may be 0 or negative): Slice, Expand, Tile, Split.
    /// </summary>
    public static void CopyStrided(ReadOnlySpan<byte> x, Span<byte> y, int elementSize, int start, int rank, ReadOnlySpan<int> dims, ReadOnlySpan<int> strides)
    {
        switch (elementSize)
        {
            case 1: CopyStrided(x, y, start, rank, dims, strides); break;
            case 4: CopyStrided(MemoryMarshal.Cast<byte, int>(x), MemoryMarshal.Cast<byte, int>(y), start, rank, dims, strides); break;
            case 8: CopyStrided(MemoryMarshal.Cast<byte, long>(x), MemoryMarshal.Cast<byte, long>(y), start, rank, dims, strides); break;
            default: throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "Element size 1, 4 or 8.");
        }
    }

    private static void CopyStrided<T>(ReadOnlySpan<T> x, Span<T> y, int start, int rank, ReadOnlySpan<int> dims, ReadOnlySpan<int> strides)
        where T : unmanaged
    {
        var inner = dims[rank - 1];
        var step = strides[rank - 1];
        var rows = RowCount(rank, dims);
        for (var r = 0; r < rows; r++)
        {
            var from = start + RowOffset(r, rank, dims, strides);
            var dst = y.Slice(r * inner, inner);
            if (step == 1)
            {
                x.Slice(from, inner).CopyTo(dst);
            }
            else if (step == 0)
            {
                dst.Fill(x[from]);
            }
            else
            {
                for (var i = 0; i < inner; i++)
                {
                    dst[i] = x[from + i * step];
                }
            }
        }
    }

    /// <summary>The comparisons of <see cref="Compare"/>.</summary>
    public enum CompareOp
    {
        /// <summary>a = b.</summary>
        Equal = 0,
        /// <summary>a &lt; b.</summary>
        Less = 1,
        /// <summary>a &gt; b.</summary>
        Greater = 2,
        /// <summary>a ≤ b.</summary>
        LessOrEqual = 3,
        /// <summary>a ≥ b.</summary>
        GreaterOrEqual = 4,
    }

    /// <summary>
    /// <c>y = a op b</c> as bools (one byte, 0 or 1) with broadcasting (dims and strides as in
    /// <see cref="Binary"/>); a and b have element type <paramref name="type"/> (a <see cref="KernelElementType"/>).
    /// </summary>
    public static void Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> y, int op, int type, int rank,
        ReadOnlySpan<int> dims, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
    {
        switch ((KernelElementType)type)
        {
            case KernelElementType.Float32: Compare(MemoryMarshal.Cast<byte, float>(a), MemoryMarshal.Cast<byte, float>(b), y, op, rank, dims, aStrides, bStrides); break;
            case KernelElementType.Int32: Compare(MemoryMarshal.Cast<byte, int>(a), MemoryMarshal.Cast<byte, int>(b), y, op, rank, dims, aStrides, bStrides); break;
            case KernelElementType.Int64: Compare(MemoryMarshal.Cast<byte, long>(a), MemoryMarshal.Cast<byte, long>(b), y, op, rank, dims, aStrides, bStrides); break;
            case KernelElementType.Int8: Compare(MemoryMarshal.Cast<byte, sbyte>(a), MemoryMarshal.Cast<byte, sbyte>(b), y, op, rank, dims, aStrides, bStrides); break;
            default: Compare(a, b, y, op, rank, dims, aStrides, bStrides); break;
        }
    }

    private static void Compare<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<byte> y, int op, int rank,
        ReadOnlySpan<int> dims, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        var inner = dims[rank - 1];
        var (sa, sb) = (aStrides[rank - 1], bStrides[rank - 1]);
        var rows = RowCount(rank, dims);
        for (var r = 0; r < rows; r++)
        {
            var (ao, bo) = (RowOffset(r, rank, dims, aStrides), RowOffset(r, rank, dims, bStrides));
            var dst = y.Slice(r * inner, inner);
            for (var i = 0; i < inner; i++)
            {
                var (u, v) = (a[ao + i * sa], b[bo + i * sb]);
                var result = (CompareOp)op switch
                {
                    CompareOp.Equal => u == v,
                    CompareOp.Less => u < v,
                    CompareOp.Greater => u > v,
                    CompareOp.LessOrEqual => u <= v,
                    _ => u >= v,
                };
                dst[i] = result ? (byte)1 : (byte)0;
            }
        }
    }

    /// <summary>
    /// Bool logic with broadcasting (dims and strides as in <see cref="Binary"/>): <paramref name="op"/>
    /// 0 And, 1 Or, 2 Xor, 3 Not (b unused).
    /// </summary>
    public static void Logical(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> y, int op, int rank,
        ReadOnlySpan<int> dims, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
    {
        var inner = dims[rank - 1];
        var (sa, sb) = (aStrides[rank - 1], bStrides[rank - 1]);
        var rows = RowCount(rank, dims);
        for (var r = 0; r < rows; r++)
        {
            var (ao, bo) = (RowOffset(r, rank, dims, aStrides), op == 3 ? 0 : RowOffset(r, rank, dims, bStrides));
            var dst = y.Slice(r * inner, inner);
            for (var i = 0; i < inner; i++)
            {
                var u = a[ao + i * sa] != 0;
                var result = op switch
                {
                    0 => u && b[bo + i * sb] != 0,
                    1 => u || b[bo + i * sb] != 0,
                    2 => u != (b[bo + i * sb] != 0),
                    _ => !u,
                };
                dst[i] = result ? (byte)1 : (byte)0;
            }
        }
    }

    /// <summary>
    /// <c>y = condition ? a : b</c> with broadcasting of all three (dims and strides as in
    /// <see cref="Binary"/>); a, b and y have <paramref name="elementSize"/>-byte elements.
    /// </summary>
    public static void Where(ReadOnlySpan<byte> condition, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> y, int elementSize, int rank,
        ReadOnlySpan<int> dims, ReadOnlySpan<int> conditionStrides, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
    {
        var inner = dims[rank - 1];
        var (sc, sa, sb) = (conditionStrides[rank - 1], aStrides[rank - 1], bStrides[rank - 1]);
        var rows = RowCount(rank, dims);
        for (var r = 0; r < rows; r++)
        {
            var co = RowOffset(r, rank, dims, conditionStrides);
            var (ao, bo) = (RowOffset(r, rank, dims, aStrides), RowOffset(r, rank, dims, bStrides));
            for (var i = 0; i < inner; i++)
            {
                var source = condition[co + i * sc] != 0 ? a.Slice((ao + i * sa) * elementSize) : b.Slice((bo + i * sb) * elementSize);
                source.Slice(0, elementSize).CopyTo(y.Slice((r * inner + i) * elementSize, elementSize));
            }
        }
    }

    /// <summary>
    /// Converts <paramref name="count"/> elements from type <paramref name="from"/> to <paramref name="to"/>
    /// (<see cref="KernelElementType"/> numbers): floats truncate toward zero, anything non-zero is true.
    /// </summary>
    public static void Cast(ReadOnlySpan<byte> x, Span<byte> y, int from, int to, int count)
    {
        var source = (KernelElementType)from;
        for (var i = 0; i < count; i++)
        {
            if (source == KernelElementType.Float32)
            {
                var f = MemoryMarshal.Cast<byte, float>(x)[i];
                if ((KernelElementType)to is KernelElementType.Float32 or KernelElementType.Bool)
                {
                    Store(y, to, i, f != 0 ? 1 : 0, f);
                    continue;
                }

                Store(y, to, i, float.IsNaN(f) ? 0 : (long)f, f);
                continue;
            }

            var v = source switch
            {
                KernelElementType.Int64 => MemoryMarshal.Cast<byte, long>(x)[i],
                KernelElementType.Int32 => MemoryMarshal.Cast<byte, int>(x)[i],
                KernelElementType.Int8 => (sbyte)x[i],
                _ => x[i],
            };
            Store(y, to, i, v, v);
        }
    }

    /// <summary>Writes element <paramref name="i"/> of type <paramref name="to"/>: the integer value, or the float one for a float.</summary>
    private static void Store(Span<byte> y, int to, int i, long integer, float real)
    {
        switch ((KernelElementType)to)
        {
            case KernelElementType.Float32: MemoryMarshal.Cast<byte, float>(y)[i] = real; break;
            case KernelElementType.Int64: MemoryMarshal.Cast<byte, long>(y)[i] = integer; break;
            case KernelElementType.Int32: MemoryMarshal.Cast<byte, int>(y)[i] = unchecked((int)integer); break;
            case KernelElementType.Bool: y[i] = integer != 0 ? (byte)1 : (byte)0; break;
            default: y[i] = unchecked((byte)integer); break;
        }
    }

    /// <summary>
    /// Gather along the middle axis of data <c>[outer, axis, row]</c> (<paramref name="rowBytes"/> bytes
    /// per row) with <paramref name="count"/> int64 indices (negative counts from the end) into
    /// <c>[outer, count, row]</c>: the embedding lookup of an encoder, one row copy per index.
    /// </summary>
    public static void Gather(ReadOnlySpan<byte> data, ReadOnlySpan<byte> indices, Span<byte> y, int outer, int axis, int rowBytes, int count)
    {
        var index = MemoryMarshal.Cast<byte, long>(indices);
        for (var o = 0; o < outer; o++)
        {
            for (var j = 0; j < count; j++)
            {
                var k = index[j];
                k = k < 0 ? k + axis : k;
                if ((ulong)k >= (ulong)axis)
                {
                    throw new IndexOutOfRangeException($"Gather index {index[j]} is out of range for an axis of {axis}.");
                }

                data.Slice((int)((o * axis + k) * rowBytes), rowBytes).CopyTo(y.Slice((o * count + j) * rowBytes, rowBytes));
            }
        }
    }
}

using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Optimizer.Onnx;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// One array of a <c>.npz</c>: its name (the member without <c>.npy</c>, as <c>numpy.savez</c> was
/// given it), its element type, its shape (C order) and its values as little-endian bytes.
/// </summary>
internal sealed class NpzArray
{
    /// <summary>Lossless widenings: every value of the first type is exactly a value of the second (ids saved as int32 for an int64 input).</summary>
    private static readonly (TensorElementType From, TensorElementType To)[] Widenings =
    [
        (TensorElementType.Int32, TensorElementType.Int64),
        (TensorElementType.Int16, TensorElementType.Int32), (TensorElementType.Int16, TensorElementType.Int64),
        (TensorElementType.Int8, TensorElementType.Int16), (TensorElementType.Int8, TensorElementType.Int32), (TensorElementType.Int8, TensorElementType.Int64),
        (TensorElementType.UInt8, TensorElementType.Int16), (TensorElementType.UInt8, TensorElementType.Int32), (TensorElementType.UInt8, TensorElementType.Int64),
        (TensorElementType.Float16, TensorElementType.Float), (TensorElementType.Float16, TensorElementType.Double),
        (TensorElementType.Float, TensorElementType.Double),
    ];

    private readonly NpyDtype _dtype;

    internal NpzArray(string name, NpyDtype dtype, long[] shape, byte[] bytes)
    {
        Name = name;
        _dtype = dtype;
        Shape = shape;
        Bytes = bytes;
    }

    /// <summary>The array's name: the member's name without <c>.npy</c> (the keyword given to <c>numpy.savez</c>).</summary>
    public string Name { get; }

    /// <summary>The ONNX element type of the values.</summary>
    public TensorElementType ElementType => _dtype.ElementType;

    /// <summary>The dimensions, samples first by convention; empty for a 0-d array.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The values, little-endian, in C order (as ONNX's <c>raw_data</c> holds them).</summary>
    public byte[] Bytes { get; }

    /// <summary>The number of values.</summary>
    public long ElementCount => Bytes.LongLength / _dtype.ItemSize;

    /// <summary>
    /// The values as <typeparamref name="T"/>, which must be the element type's .NET type
    /// (float, Half, double, long, int, short, sbyte, byte, bool).
    /// </summary>
    public ReadOnlySpan<T> Values<T>()
        where T : unmanaged
    {
        if (_dtype.Clr != typeof(T))
        {
            throw new InvalidOperationException($"Array '{Name}' holds {ElementType}, not {typeof(T).Name}.");
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Typed views of .npz values need a little-endian machine; use Bytes.");
        }

        return MemoryMarshal.Cast<byte, T>(Bytes);
    }

    /// <summary>
    /// The same values as <paramref name="target"/> when that loses nothing (int32 → int64,
    /// float16 → float32, …; the array itself when the type is already <paramref name="target"/>).
    /// False for a lossy or meaningless conversion, which the caller reports.
    /// </summary>
    public bool TryWiden(TensorElementType target, [NotNullWhen(true)] out NpzArray? widened)
    {
        widened = null;
        if (target == ElementType)
        {
            widened = this;
            return true;
        }

        if (!Widenings.Contains((ElementType, target)) || NpyDtype.Of(target) is not { } to)
        {
            return false;
        }

        var count = checked((int)ElementCount);
        var bytes = new byte[checked(count * to.ItemSize)];
        var isFloat = IsFloat(target);
        for (var i = 0; i < count; i++)
        {
            var item = Bytes.AsSpan(i * _dtype.ItemSize, _dtype.ItemSize);
            var into = bytes.AsSpan(i * to.ItemSize, to.ItemSize);
            if (isFloat)
            {
                WriteFloat(into, target, ReadFloat(item, ElementType));
            }
            else
            {
                WriteInteger(into, target, ReadInteger(item, ElementType));
            }
        }

        widened = new NpzArray(Name, to, [.. Shape], bytes);
        return true;
    }

    /// <summary>Whether the values are floating point (and so may hold NaN or infinity).</summary>
    public static bool IsFloat(TensorElementType type) =>
        type is TensorElementType.Float or TensorElementType.Float16 or TensorElementType.Double;

    /// <summary>The value at <paramref name="index"/> of a floating-point array, widened to double.</summary>
    public double FloatAt(long index) =>
        ReadFloat(Bytes.AsSpan(checked((int)(index * _dtype.ItemSize)), _dtype.ItemSize), ElementType);

    private static double ReadFloat(ReadOnlySpan<byte> item, TensorElementType type) => type switch
    {
        TensorElementType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(item),
        TensorElementType.Float => BinaryPrimitives.ReadSingleLittleEndian(item),
        _ => BinaryPrimitives.ReadDoubleLittleEndian(item),
    };

    private static void WriteFloat(Span<byte> into, TensorElementType type, double value)
    {
        if (type == TensorElementType.Float)
        {
            BinaryPrimitives.WriteSingleLittleEndian(into, (float)value);
        }
        else
        {
            BinaryPrimitives.WriteDoubleLittleEndian(into, value);
        }
    }

    private static long ReadInteger(ReadOnlySpan<byte> item, TensorElementType type) => type switch
    {
        TensorElementType.UInt8 => item[0],
        TensorElementType.Int8 => (sbyte)item[0],
        TensorElementType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(item),
        _ => BinaryPrimitives.ReadInt32LittleEndian(item),
    };

    private static void WriteInteger(Span<byte> into, TensorElementType type, long value)
    {
        switch (type)
        {
            case TensorElementType.Int16: BinaryPrimitives.WriteInt16LittleEndian(into, (short)value); break;
            case TensorElementType.Int32: BinaryPrimitives.WriteInt32LittleEndian(into, (int)value); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(into, value); break;
        }
    }
}

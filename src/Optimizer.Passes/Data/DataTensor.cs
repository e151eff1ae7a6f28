using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Optimizer.Onnx;

namespace Optimizer.Passes.Data;

/// <summary>
/// One tensor fed to a model: its ONNX element type, its shape and its values as little-endian
/// bytes in C order (as ONNX's <c>raw_data</c> and NumPy hold them), so every element type a model
/// input can have (float32/float16, int64/int32, int8/uint8, bool, …) travels the same way.
/// </summary>
public sealed class DataTensor
{
    /// <exception cref="ArgumentException">The bytes do not hold exactly the shape's elements.</exception>
    public DataTensor(TensorElementType elementType, IReadOnlyList<long> shape, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(bytes);
        var size = ItemSize(elementType);
        var count = shape.Aggregate(1L, (a, d) => d < 0 ? -1 : a * d);
        if (count < 0 || count * size != bytes.LongLength)
        {
            throw new ArgumentException($"A {elementType} tensor of shape [{string.Join(",", shape)}] needs {count * size} bytes, not {bytes.LongLength}.", nameof(bytes));
        }

        ElementType = elementType;
        Shape = shape.ToArray();
        Bytes = bytes;
    }

    /// <summary>The ONNX element type of the values.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The dimensions, C order.</summary>
    public long[] Shape { get; }

    /// <summary>The values, little-endian, C order.</summary>
    public byte[] Bytes { get; }

    /// <summary>The number of values.</summary>
    public long ElementCount => Bytes.LongLength / ItemSize(ElementType);

    /// <summary>A float32 tensor.</summary>
    public static DataTensor FromFloats(float[] values, IReadOnlyList<long> shape) =>
        new(TensorElementType.Float, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>An int64 tensor.</summary>
    public static DataTensor FromInt64(long[] values, IReadOnlyList<long> shape) =>
        new(TensorElementType.Int64, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>The values as <typeparamref name="T"/>, which must be the element type's .NET type (float, Half, double, long, int, short, sbyte, byte, bool).</summary>
    public ReadOnlySpan<T> Values<T>()
        where T : unmanaged
    {
        if (Marshal.SizeOf<T>() != ItemSize(ElementType) || !BitConverter.IsLittleEndian)
        {
            throw new InvalidOperationException($"A {ElementType} tensor cannot be read as {typeof(T).Name}.");
        }

        return MemoryMarshal.Cast<byte, T>(Bytes);
    }

    /// <summary>The values widened to float32 (for statistics over float, float16 and double tensors); null for other types.</summary>
    public float[]? ToFloats() => ElementType switch
    {
        TensorElementType.Float => Values<float>().ToArray(),
        TensorElementType.Float16 => Array.ConvertAll(Values<Half>().ToArray(), h => (float)h),
        TensorElementType.Double => Array.ConvertAll(Values<double>().ToArray(), d => (float)d),
        _ => null,
    };

    /// <summary>Elements <paramref name="first"/> .. first+count−1 along the first axis, keeping it (shape [count, …]).</summary>
    public DataTensor SliceFirstAxis(long first, long count)
    {
        if (Shape.Length == 0 || first < 0 || count < 0 || first + count > Shape[0])
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"Rows {first}..{first + count - 1} of [{string.Join(",", Shape)}].");
        }

        var rowBytes = Shape.Length == 0 || Shape[0] == 0 ? 0 : Bytes.LongLength / Shape[0];
        return new DataTensor(ElementType, [count, .. Shape[1..]], Bytes.AsSpan(checked((int)(first * rowBytes)), checked((int)(count * rowBytes))).ToArray());
    }

    /// <summary>The same values with another shape of the same element count.</summary>
    public DataTensor Reshape(IReadOnlyList<long> shape) => new(ElementType, shape, Bytes);

    /// <summary>Bytes per element of the types a data tensor can hold; 0 for the others (string, packed 4-bit, …).</summary>
    public static int ItemSize(TensorElementType type) => type switch
    {
        TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 => 8,
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Float16 or TensorElementType.BFloat16 or TensorElementType.Int16 or TensorElementType.UInt16 => 2,
        TensorElementType.Int8 or TensorElementType.UInt8 or TensorElementType.Bool => 1,
        _ => throw new ArgumentException($"{type} tensors are not fed as data.", nameof(type)),
    };

    /// <summary>The shape as text, e.g. <c>[1,128]</c>.</summary>
    public string ShapeText => "[" + string.Join(",", Shape) + "]";

    /// <summary>Appends a canonical encoding (type, shape, bytes) for content hashes.</summary>
    internal void AppendTo(System.Security.Cryptography.IncrementalHash hash)
    {
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(header, (long)ElementType);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], Shape.Length);
        hash.AppendData(header);
        foreach (var d in Shape)
        {
            BinaryPrimitives.WriteInt64LittleEndian(header, d);
            hash.AppendData(header[..8]);
        }

        hash.AppendData(Bytes);
    }
}

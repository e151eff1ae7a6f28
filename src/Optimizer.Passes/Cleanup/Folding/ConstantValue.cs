using System.Buffers.Binary;
using Google.Protobuf;
using Optimizer.Onnx;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Passes.Cleanup.Folding;

/// <summary>
/// A dense constant being folded. Floating-point elements are held as doubles rounded to the
/// element type after every operation (so results equal what ONNX Runtime computes in that type);
/// integer and bool elements as longs, so int64 sentinels such as INT64_MAX stay exact.
/// </summary>
internal sealed class ConstantValue
{
    private ConstantValue(TensorElementType type, long[] dims, double[]? reals, long[]? integers)
    {
        ElementType = type;
        Dims = dims;
        Reals = reals;
        Integers = integers;
    }

    public TensorElementType ElementType { get; }

    public long[] Dims { get; }

    public double[]? Reals { get; }

    public long[]? Integers { get; }

    public bool IsReal => Reals is not null;

    public int Count => Reals?.Length ?? Integers!.Length;

    public static bool IsRealType(TensorElementType type) => type is TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16;

    public static bool IsSupported(TensorElementType type) => IsRealType(type) || type is TensorElementType.Int64 or TensorElementType.Int32
        or TensorElementType.Int16 or TensorElementType.UInt16 or TensorElementType.Int8 or TensorElementType.UInt8 or TensorElementType.Bool or TensorElementType.UInt32;

    public static ConstantValue Real(TensorElementType type, long[] dims, double[] values) =>
        new(type, dims, values.Select(v => Round(type, v)).ToArray(), null);

    public static ConstantValue Integer(TensorElementType type, long[] dims, long[] values) =>
        new(type, dims, null, values.Select(v => Wrap(type, v)).ToArray());

    public static ConstantValue Of(TensorElementType type, long[] dims, double[]? reals, long[]? integers) =>
        IsRealType(type) ? Real(type, dims, reals ?? integers!.Select(v => (double)v).ToArray()) : Integer(type, dims, integers ?? reals!.Select(v => (long)v).ToArray());

    /// <summary>Reads a tensor; null for element types folding does not handle (strings, 4-bit, float8…).</summary>
    public static ConstantValue? TryRead(OnnxTensor tensor)
    {
        var type = tensor.ElementType;
        var dims = tensor.Dims.ToArray();
        switch (type)
        {
            case TensorElementType.Float: return Real(type, dims, tensor.ToFloatArray().Select(v => (double)v).ToArray());
            case TensorElementType.Double: return Real(type, dims, tensor.ToDoubleArray());
            case TensorElementType.Float16: return Real(type, dims, tensor.ToFloat16Array().Select(v => (double)v).ToArray());
            case TensorElementType.Int64: return Integer(type, dims, tensor.ToInt64Array());
            case TensorElementType.Int32: return Integer(type, dims, tensor.ToInt32Array().Select(v => (long)v).ToArray());
        }

        if (!IsSupported(type)) return null;
        var raw = tensor.ToRawBytes();
        var width = type.BitsPerElement() / 8;
        var values = new long[raw.Length / width];
        for (var i = 0; i < values.Length; i++)
        {
            var span = raw.AsSpan(i * width, width);
            values[i] = type switch
            {
                TensorElementType.Int8 => (sbyte)span[0],
                TensorElementType.UInt8 or TensorElementType.Bool => span[0],
                TensorElementType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(span),
                TensorElementType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(span),
                _ => BinaryPrimitives.ReadUInt32LittleEndian(span),
            };
        }

        return Integer(type, dims, values);
    }

    /// <summary>The value as an initializer named <paramref name="name"/> (raw little-endian data).</summary>
    public OnnxTensor ToTensor(string name)
    {
        var width = ElementType.BitsPerElement() / 8;
        var bytes = new byte[Count * width];
        for (var i = 0; i < Count; i++)
        {
            var span = bytes.AsSpan(i * width, width);
            switch (ElementType)
            {
                case TensorElementType.Float: BinaryPrimitives.WriteSingleLittleEndian(span, (float)Reals![i]); break;
                case TensorElementType.Double: BinaryPrimitives.WriteDoubleLittleEndian(span, Reals![i]); break;
                case TensorElementType.Float16: BinaryPrimitives.WriteHalfLittleEndian(span, (Half)Reals![i]); break;
                case TensorElementType.Int64: BinaryPrimitives.WriteInt64LittleEndian(span, Integers![i]); break;
                case TensorElementType.Int32 or TensorElementType.UInt32: BinaryPrimitives.WriteInt32LittleEndian(span, (int)Integers![i]); break;
                case TensorElementType.Int16 or TensorElementType.UInt16: BinaryPrimitives.WriteInt16LittleEndian(span, (short)Integers![i]); break;
                default: span[0] = (byte)Integers![i]; break;
            }
        }

        var proto = new TensorProto { Name = name, DataType = (int)ElementType, RawData = ByteString.CopyFrom(bytes) };
        proto.Dims.AddRange(Dims);
        return OnnxTensor.Parse(proto.ToByteArray());
    }

    /// <summary>A value of the same type whose element i is this value's element <c>source[i]</c>.</summary>
    public ConstantValue Take(long[] dims, int[] source) => IsReal
        ? new ConstantValue(ElementType, dims, source.Select(i => Reals![i]).ToArray(), null)
        : new ConstantValue(ElementType, dims, null, source.Select(i => Integers![i]).ToArray());

    /// <summary>The same elements under other dimensions (Reshape, Squeeze, Unsqueeze, Identity).</summary>
    public ConstantValue WithDims(long[] dims) => new(ElementType, dims, Reals, Integers);

    public long[] AsInt64s() => Integers ?? Reals!.Select(v => (long)v).ToArray();

    public double AsDouble(int index) => Reals?[index] ?? Integers![index];

    /// <summary>Row-major strides of <paramref name="dims"/>.</summary>
    public static long[] Strides(long[] dims)
    {
        var strides = new long[dims.Length];
        long stride = 1;
        for (var i = dims.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= dims[i];
        }

        return strides;
    }

    /// <summary>The element count of <paramref name="dims"/>; a negative dim or an overflow (hostile shapes) is not folded, never wrapped.</summary>
    /// <exception cref="FoldingNotPossible">A dim is negative or the count overflows.</exception>
    public static long Product(IEnumerable<long> dims)
    {
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0 || d > 0 && count > long.MaxValue / d)
            {
                throw new FoldingNotPossible($"the shape [{string.Join(",", dims)}] has a negative size or more elements than a long can count");
            }

            count *= d;
        }

        return count;
    }

    private static double Round(TensorElementType type, double value) => type switch
    {
        TensorElementType.Float => (float)value,
        TensorElementType.Float16 => (double)(Half)value,
        _ => value,
    };

    private static long Wrap(TensorElementType type, long value) => type switch
    {
        TensorElementType.Int32 => (int)value,
        TensorElementType.UInt32 => (uint)value,
        TensorElementType.Int16 => (short)value,
        TensorElementType.UInt16 => (ushort)value,
        TensorElementType.Int8 => (sbyte)value,
        TensorElementType.UInt8 => (byte)value,
        TensorElementType.Bool => value != 0 ? 1 : 0,
        _ => value,
    };
}

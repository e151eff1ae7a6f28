using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// Decodes tensor elements from either storage ONNX allows: <c>raw_data</c> (fixed-width
/// little-endian) or the typed repeated fields (float_data, int32_data, int64_data,
/// double_data, uint64_data), where narrow types are widened to one int32 per element.
/// </summary>
internal static class TensorData
{
    public static long ElementCount(TensorProto proto)
    {
        // -1 for negative dimensions or a count past long's range (hostile dims).
        long count = 1;
        foreach (var d in proto.Dims)
        {
            if (d < 0 || (d > 0 && count > long.MaxValue / 128 / d))
            {
                return -1;
            }

            count *= d;
        }

        return count;
    }

    public static T[] Read<T>(TensorProto proto, TensorElementType expected)
        where T : unmanaged
    {
        if ((TensorElementType)proto.DataType != expected)
        {
            throw WrongType(proto, expected);
        }

        var values = MemoryMarshal.Cast<byte, T>(RawSpan(proto)).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            SwapInPlace(MemoryMarshal.AsBytes(values.AsSpan()), expected.BitsPerElement() / 8);
        }

        return values;
    }

    public static byte[] ToRawBytes(TensorProto proto) => RawSpan(proto).ToArray();

    // raw_data itself when the model used it (no copy: a large tensor is not held twice while read).
    private static ReadOnlySpan<byte> RawSpan(TensorProto proto)
    {
        var type = (TensorElementType)proto.DataType;
        var bits = type.BitsPerElement();
        var count = ElementCount(proto);
        if (bits == 0 || count < 0)
        {
            throw Invalid(proto, $"element type {type} has no fixed-size binary layout or the dimensions are negative");
        }

        var expectedBytes = type.RawByteCount(count);
        var bytes = ExternalTensorReference.Of(proto) is { } reference ? reference.ReadAll()
            : proto.HasRawData ? proto.RawData.Span : FromTypedFields(proto, type, count);
        if (bytes.Length != expectedBytes)
        {
            throw Invalid(proto, $"holds {bytes.Length} bytes of data but {count} elements of {type} need {expectedBytes}");
        }

        return bytes;
    }

    public static byte[] ToLittleEndian(ReadOnlySpan<byte> nativeBytes, TensorElementType type)
    {
        var copy = nativeBytes.ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            SwapInPlace(copy, type.BitsPerElement() / 8);
        }

        return copy;
    }

    /// <summary>
    /// Copies the raw bytes from <paramref name="start"/> into <paramref name="destination"/>: from the file
    /// for a tensor that stays there, else from memory. Lets passes stream tensors of any size.
    /// </summary>
    public static void ReadRaw(TensorProto proto, long start, Span<byte> destination)
    {
        if (ExternalTensorReference.Of(proto) is { } reference)
        {
            reference.Read(start, destination);
            return;
        }

        RawSpan(proto).Slice(checked((int)start), destination.Length).CopyTo(destination);
    }

    /// <summary>How many bytes the elements take in <c>raw_data</c> layout (-1 for strings or invalid dimensions).</summary>
    public static long RawByteCount(TensorProto proto)
    {
        var type = (TensorElementType)proto.DataType;
        var count = ElementCount(proto);
        return type.BitsPerElement() == 0 || count < 0 ? -1 : type.RawByteCount(count);
    }

    public static OnnxFormatException WrongType(TensorProto proto, TensorElementType expected) =>
        new(OnnxErrorCodes.TensorDataInvalid,
            $"Tensor '{proto.Name}' is {(TensorElementType)proto.DataType}, not {expected}. Check the element type before reading it.");

    private static OnnxFormatException Invalid(TensorProto proto, string problem) =>
        new(OnnxErrorCodes.TensorDataInvalid,
            $"Tensor '{proto.Name}' {problem}. Re-export the model; its tensor data is inconsistent.");

    private static byte[] FromTypedFields(TensorProto proto, TensorElementType type, long count)
    {
        switch (type)
        {
            case TensorElementType.Float or TensorElementType.Complex64:
                return MemoryMarshal.AsBytes(proto.FloatData.ToArray().AsSpan()).ToArray().LittleEndian(4);
            case TensorElementType.Double or TensorElementType.Complex128:
                return MemoryMarshal.AsBytes(proto.DoubleData.ToArray().AsSpan()).ToArray().LittleEndian(8);
            case TensorElementType.Int64:
                return MemoryMarshal.AsBytes(proto.Int64Data.ToArray().AsSpan()).ToArray().LittleEndian(8);
            case TensorElementType.UInt64:
                return MemoryMarshal.AsBytes(proto.Uint64Data.ToArray().AsSpan()).ToArray().LittleEndian(8);
            case TensorElementType.UInt32:
                return NarrowUInt64(proto);
            case TensorElementType.UInt4 or TensorElementType.Int4 or TensorElementType.Float4E2M1:
                // int32_data holds one packed byte (two 4-bit elements) per entry.
                return proto.Int32Data.Select(v => (byte)v).ToArray();
            default:
                return NarrowInt32(proto, type.BitsPerElement() / 8);
        }
    }

    private static byte[] NarrowInt32(TensorProto proto, int width)
    {
        var result = new byte[proto.Int32Data.Count * width];
        for (var i = 0; i < proto.Int32Data.Count; i++)
        {
            var v = proto.Int32Data[i];
            switch (width)
            {
                case 1: result[i] = (byte)v; break;
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(i * 2), (ushort)v); break;
                default: BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(i * 4), v); break;
            }
        }

        return result;
    }

    private static byte[] NarrowUInt64(TensorProto proto)
    {
        var result = new byte[proto.Uint64Data.Count * 4];
        for (var i = 0; i < proto.Uint64Data.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(i * 4), (uint)proto.Uint64Data[i]);
        }

        return result;
    }

    private static byte[] LittleEndian(this byte[] native, int width)
    {
        if (!BitConverter.IsLittleEndian)
        {
            SwapInPlace(native, width);
        }

        return native;
    }

    private static void SwapInPlace(Span<byte> bytes, int width)
    {
        if (width <= 1)
        {
            return;
        }

        for (var i = 0; i + width <= bytes.Length; i += width)
        {
            bytes.Slice(i, width).Reverse();
        }
    }
}

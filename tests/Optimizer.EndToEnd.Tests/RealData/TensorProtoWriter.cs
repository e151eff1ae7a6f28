using System.Buffers.Binary;
using System.Text;

namespace Optimizer.EndToEnd.Tests.RealData;

/// <summary>
/// Writes one ONNX <c>TensorProto</c> (an <c>input_k.pb</c> of the test-data layout) by hand, so this
/// project needs no protobuf library: dims (field 1, one varint each, as proto2 writes repeated int64),
/// data_type (2), name (8) and raw_data (9, little-endian). Enough for float32 and int64 tensors.
/// </summary>
internal static class TensorProtoWriter
{
    private const int Float = 1;  // TensorProto.DataType.FLOAT
    private const int Int64 = 7;  // TensorProto.DataType.INT64

    public static byte[] Float32(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var raw = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), values[i]);
        return Tensor(name, Float, dims, raw);
    }

    public static byte[] Int64Tensor(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        var raw = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), values[i]);
        return Tensor(name, Int64, dims, raw);
    }

    private static byte[] Tensor(string name, int dataType, long[] dims, byte[] raw)
    {
        using var stream = new MemoryStream();
        foreach (var dim in dims)
        {
            Key(stream, 1, 0);
            Varint(stream, (ulong)dim);
        }

        Key(stream, 2, 0);
        Varint(stream, (ulong)dataType);
        Bytes(stream, 8, Encoding.UTF8.GetBytes(name));
        Bytes(stream, 9, raw);
        return stream.ToArray();
    }

    private static void Bytes(Stream stream, int field, byte[] bytes)
    {
        Key(stream, field, 2);
        Varint(stream, (ulong)bytes.Length);
        stream.Write(bytes);
    }

    private static void Key(Stream stream, int field, int wireType) => Varint(stream, (ulong)(field << 3 | wireType));

    private static void Varint(Stream stream, ulong value)
    {
        for (; value >= 0x80; value >>= 7) stream.WriteByte((byte)(value | 0x80));
        stream.WriteByte((byte)value);
    }
}

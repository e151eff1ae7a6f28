using System.Runtime.InteropServices;
using System.Text;

namespace Optimizer.Tests.Shared;

/// <summary>
/// Writes ONNX's test-data layout (<c>test_data_set_&lt;k&gt;/input_&lt;i&gt;.pb</c>, one serialized
/// TensorProto per input) with its own few lines of protobuf wire format, so it needs no ONNX
/// classes and checks the reader against the format rather than against itself.
/// </summary>
internal static class TestDataFolderWriter
{
    // TensorProto field numbers and ONNX element type numbers (onnx.proto).
    private const int DimsField = 1, DataTypeField = 2, NameField = 8, RawDataField = 9;

    /// <summary>ONNX's TensorProto.DataType numbers of the types tests write.</summary>
    public const int Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6, Int64 = 7, Bool = 9, Float16 = 10, Double = 11;

    /// <summary>Writes <c>&lt;folder&gt;/test_data_set_&lt;feed&gt;/input_&lt;index&gt;.pb</c> and returns its path.</summary>
    public static string WriteInput<T>(string folder, int feed, int index, string name, int dataType, long[] dims, params T[] values)
        where T : unmanaged
    {
        var set = Directory.CreateDirectory(Path.Combine(folder, $"test_data_set_{feed}")).FullName;
        var path = Path.Combine(set, $"input_{index}.pb");
        File.WriteAllBytes(path, Tensor(name, dataType, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
        return path;
    }

    /// <summary>A serialized TensorProto holding <paramref name="raw"/> as raw_data (little-endian); an empty name is left out.</summary>
    public static byte[] Tensor(string name, int dataType, long[] dims, byte[] raw)
    {
        using var buffer = new MemoryStream();
        foreach (var d in dims)
        {
            Key(buffer, DimsField, 0);
            Varint(buffer, (ulong)d);
        }

        Key(buffer, DataTypeField, 0);
        Varint(buffer, (ulong)dataType);
        if (name.Length > 0)
        {
            Bytes(buffer, NameField, Encoding.UTF8.GetBytes(name));
        }

        Bytes(buffer, RawDataField, raw);
        return buffer.ToArray();
    }

    private static void Bytes(Stream stream, int field, byte[] bytes)
    {
        Key(stream, field, 2);
        Varint(stream, (ulong)bytes.Length);
        stream.Write(bytes);
    }

    private static void Key(Stream stream, int field, int wireType) => Varint(stream, (ulong)((field << 3) | wireType));

    private static void Varint(Stream stream, ulong value)
    {
        Span<byte> one = stackalloc byte[1];
        do
        {
            one[0] = (byte)((value & 0x7F) | (value > 0x7F ? 0x80u : 0));
            stream.Write(one);
            value >>= 7;
        }
        while (value != 0);
    }
}

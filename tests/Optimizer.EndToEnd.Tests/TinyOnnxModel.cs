using System.Text;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// A one-node ONNX model (<c>output = Relu(input)</c>, float32 <c>[dim, 4]</c>) written byte by
/// byte in protobuf's wire format, so a test can give its tensors, dimension and node any names,
/// hostile ones included, without a Python toolchain. ONNX Runtime loads it as any other model.
/// </summary>
internal static class TinyOnnxModel
{
    private const int FloatElementType = 1;

    public static byte[] Relu(string input, string output, string dim, string node) =>
        Message(
            Varint(1, 8),                               // ModelProto.ir_version
            Text(2, "optimizer-e2e"),                   // producer_name
            Bytes(7, Message(                           // graph
                Bytes(1, Message(                       // GraphProto.node
                    Text(1, input), Text(2, output),    // NodeProto.input, output
                    Text(3, node), Text(4, "Relu"))),   // name, op_type
                Text(2, "tiny"),                        // GraphProto.name
                Bytes(11, ValueInfo(input, dim)),       // input
                Bytes(12, ValueInfo(output, dim)))),    // output
            Bytes(8, Message(Text(1, ""), Varint(2, 13)))); // opset_import: ai.onnx 13

    private static byte[] ValueInfo(string name, string dim) =>
        Message(
            Text(1, name),
            Bytes(2, Message(                           // TypeProto
                Bytes(1, Message(                       // tensor_type
                    Varint(1, FloatElementType),
                    Bytes(2, Message(                   // shape
                        Bytes(1, Text(2, dim)),         // dim { dim_param }
                        Bytes(1, Varint(1, 4)))))))));  // dim { dim_value: 4 }

    private static byte[] Message(params byte[][] fields) => fields.SelectMany(f => f).ToArray();

    private static byte[] Text(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    private static byte[] Bytes(int field, byte[] value) =>
        [.. Number(((ulong)field << 3) | 2), .. Number((ulong)value.Length), .. value];

    private static byte[] Varint(int field, long value) => [.. Number((ulong)field << 3), .. Number((ulong)value)];

    private static byte[] Number(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var low = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? low : (byte)(low | 0x80));
        }
        while (value != 0);
        return bytes.ToArray();
    }
}

using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

/// <summary>The element types a program holds: each one's kernel type number and its size in bytes.</summary>
internal static class ElementTypes
{
    private static readonly Dictionary<TensorElementType, (KernelElementType Kernel, int Size)> Table = new()
    {
        [TensorElementType.Float] = (KernelElementType.Float32, 4),
        [TensorElementType.UInt8] = (KernelElementType.UInt8, 1),
        [TensorElementType.Int8] = (KernelElementType.Int8, 1),
        [TensorElementType.Int32] = (KernelElementType.Int32, 4),
        [TensorElementType.Int64] = (KernelElementType.Int64, 8),
        [TensorElementType.Bool] = (KernelElementType.Bool, 1),
    };

    /// <summary>The types a graph input may have.</summary>
    public static IEnumerable<TensorElementType> All => Table.Keys;

    public static KernelElementType Kernel(TensorElementType type) =>
        Table.TryGetValue(type, out var t) ? t.Kernel : throw new UnsupportedException($"element type {type}");

    public static int Size(TensorElementType type) =>
        Table.TryGetValue(type, out var t) ? t.Size : throw new UnsupportedException($"element type {type}");

    /// <summary>A constant's bytes as a kernel reads them (little-endian, bool one byte).</summary>
    public static byte[] Bytes(ConstData c)
    {
        if (c.Floats is not null)
        {
            return BuildContext.FloatBytes(c.Floats);
        }

        if (c.Bytes is not null)
        {
            return c.Bytes;
        }

        var size = Size(c.Type);
        var values = c.IntegerValues("a constant operand");
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            switch (size)
            {
                case 8: System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), v); break;
                case 4: System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), (int)v); break;
                default: bytes[i] = c.Type == TensorElementType.Bool ? (byte)(v != 0 ? 1 : 0) : unchecked((byte)v); break;
            }
        }

        return bytes;
    }
}

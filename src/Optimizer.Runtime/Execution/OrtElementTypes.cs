using Microsoft.ML.OnnxRuntime.Tensors;

namespace Optimizer.Runtime;

/// <summary>Maps .NET element types to ONNX Runtime's and back.</summary>
internal static class OrtElementTypes
{
    public static TensorElementType Of<T>() => Of(typeof(T));

    public static TensorElementType Of(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.Single => TensorElementType.Float,
        TypeCode.Double => TensorElementType.Double,
        TypeCode.SByte => TensorElementType.Int8,
        TypeCode.Byte => TensorElementType.UInt8,
        TypeCode.Int16 => TensorElementType.Int16,
        TypeCode.UInt16 => TensorElementType.UInt16,
        TypeCode.Int32 => TensorElementType.Int32,
        TypeCode.UInt32 => TensorElementType.UInt32,
        TypeCode.Int64 => TensorElementType.Int64,
        TypeCode.UInt64 => TensorElementType.UInt64,
        TypeCode.Boolean => TensorElementType.Bool,
        TypeCode.String => TensorElementType.String,
        _ when type == typeof(Half) => TensorElementType.Float16,
        _ => throw new NotSupportedException($"Tensors of {type.Name} cannot be passed to ONNX Runtime; use float, double, Half, an integer type, bool or string."),
    };

    /// <summary>The .NET type for an ONNX Runtime element type, or null when there is none here.</summary>
    public static Type? ClrType(TensorElementType type) => type switch
    {
        TensorElementType.Float => typeof(float),
        TensorElementType.Double => typeof(double),
        TensorElementType.Float16 => typeof(Half),
        TensorElementType.Int8 => typeof(sbyte),
        TensorElementType.UInt8 => typeof(byte),
        TensorElementType.Int16 => typeof(short),
        TensorElementType.UInt16 => typeof(ushort),
        TensorElementType.Int32 => typeof(int),
        TensorElementType.UInt32 => typeof(uint),
        TensorElementType.Int64 => typeof(long),
        TensorElementType.UInt64 => typeof(ulong),
        TensorElementType.Bool => typeof(bool),
        _ => null,
    };

    /// <summary>Bytes per element of an unmanaged element type (bool is one byte in ONNX and in .NET arrays).</summary>
    public static int ByteSize(Type type) =>
        type == typeof(bool) || type == typeof(sbyte) || type == typeof(byte) ? 1
        : type == typeof(Half) || type == typeof(short) || type == typeof(ushort) ? 2
        : type == typeof(float) || type == typeof(int) || type == typeof(uint) ? 4
        : type == typeof(double) || type == typeof(long) || type == typeof(ulong) ? 8
        : throw new NotSupportedException($"{type.Name} is not an ONNX tensor element type.");

    /// <summary>A new array of one of the element types above (no reflection: safe under NativeAOT).</summary>
    public static Array NewArray(Type type, long length) =>
        type == typeof(float) ? new float[length]
        : type == typeof(double) ? new double[length]
        : type == typeof(Half) ? new Half[length]
        : type == typeof(sbyte) ? new sbyte[length]
        : type == typeof(byte) ? new byte[length]
        : type == typeof(short) ? new short[length]
        : type == typeof(ushort) ? new ushort[length]
        : type == typeof(int) ? new int[length]
        : type == typeof(uint) ? new uint[length]
        : type == typeof(long) ? new long[length]
        : type == typeof(ulong) ? new ulong[length]
        : type == typeof(bool) ? new bool[length]
        : throw new NotSupportedException($"{type.Name} is not an ONNX tensor element type.");
}

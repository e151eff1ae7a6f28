namespace Optimizer.Onnx;

/// <summary>
/// The element type of a tensor, numbered exactly as ONNX's <c>TensorProto.DataType</c>.
/// </summary>
public enum TensorElementType
{
    /// <summary>Not set or not a tensor.</summary>
    Undefined = 0,
    /// <summary>32-bit IEEE float.</summary>
    Float = 1,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 2,
    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 3,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16 = 4,
    /// <summary>Signed 16-bit integer.</summary>
    Int16 = 5,
    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 6,
    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 7,
    /// <summary>UTF-8 string.</summary>
    String = 8,
    /// <summary>Boolean stored as one byte.</summary>
    Bool = 9,
    /// <summary>16-bit IEEE half-precision float.</summary>
    Float16 = 10,
    /// <summary>64-bit IEEE float.</summary>
    Double = 11,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32 = 12,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64 = 13,
    /// <summary>Two 32-bit floats (real, imaginary).</summary>
    Complex64 = 14,
    /// <summary>Two 64-bit floats (real, imaginary).</summary>
    Complex128 = 15,
    /// <summary>Brain float: float32 truncated to 16 bits.</summary>
    BFloat16 = 16,
    /// <summary>8-bit float E4M3, finite only.</summary>
    Float8E4M3FN = 17,
    /// <summary>8-bit float E4M3, finite only, no negative zero.</summary>
    Float8E4M3FNUZ = 18,
    /// <summary>8-bit float E5M2.</summary>
    Float8E5M2 = 19,
    /// <summary>8-bit float E5M2, no negative zero.</summary>
    Float8E5M2FNUZ = 20,
    /// <summary>Unsigned 4-bit integer, two per byte.</summary>
    UInt4 = 21,
    /// <summary>Signed 4-bit integer, two per byte.</summary>
    Int4 = 22,
    /// <summary>4-bit float E2M1, two per byte.</summary>
    Float4E2M1 = 23,
    /// <summary>8-bit exponent-only scale type (microscaling formats).</summary>
    Float8E8M0 = 24,
}

/// <summary>Facts about <see cref="TensorElementType"/> values.</summary>
public static class TensorElementTypes
{
    /// <summary>
    /// Bits one element occupies in <c>raw_data</c> (4 for the packed 4-bit types), or 0 for
    /// <see cref="TensorElementType.String"/>, <see cref="TensorElementType.Undefined"/> and
    /// values this version does not know.
    /// </summary>
    public static int BitsPerElement(this TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 32,
        TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool => 8,
        TensorElementType.Float8E4M3FN or TensorElementType.Float8E4M3FNUZ => 8,
        TensorElementType.Float8E5M2 or TensorElementType.Float8E5M2FNUZ => 8,
        TensorElementType.Float8E8M0 => 8,
        TensorElementType.UInt16 or TensorElementType.Int16 => 16,
        TensorElementType.Float16 or TensorElementType.BFloat16 => 16,
        TensorElementType.Int64 or TensorElementType.UInt64 or TensorElementType.Double => 64,
        TensorElementType.Complex64 => 64,
        TensorElementType.Complex128 => 128,
        TensorElementType.UInt4 or TensorElementType.Int4 or TensorElementType.Float4E2M1 => 4,
        _ => 0,
    };

    /// <summary>Bytes needed to hold <paramref name="elementCount"/> elements in <c>raw_data</c>.</summary>
    public static long RawByteCount(this TensorElementType type, long elementCount) =>
        (elementCount * type.BitsPerElement() + 7) / 8;
}

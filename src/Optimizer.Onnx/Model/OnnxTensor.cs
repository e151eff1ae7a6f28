using System.Runtime.InteropServices;
using Google.Protobuf;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// A constant tensor: an initializer, a Constant node's value, or a test-data file. Reads
/// element data from <c>raw_data</c> (little-endian) or from the typed fields, whichever the
/// model used; tensors created here always use <c>raw_data</c>.
/// </summary>
public sealed class OnnxTensor
{
    internal OnnxTensor(TensorProto proto) => Proto = proto;

    internal TensorProto Proto { get; }

    /// <summary>The tensor's name (an initializer's value name); may be empty for attribute tensors.</summary>
    public string Name
    {
        get => Proto.Name;
        set => ProtoFields.SetIfChanged(Proto.Name, value, v => Proto.Name = v);
    }

    /// <summary>The element type.</summary>
    public TensorElementType ElementType => (TensorElementType)Proto.DataType;

    /// <summary>The dimensions (empty for a scalar).</summary>
    public IReadOnlyList<long> Dims => Proto.Dims;

    /// <summary>The number of elements: the product of <see cref="Dims"/>.</summary>
    public long ElementCount => TensorData.ElementCount(Proto);

    /// <summary>
    /// True when the tensor's bytes stayed in its external-data file when the model was loaded (at or above
    /// <see cref="ModelLoadLimits.InMemoryTensorBytes"/>, or 2 GiB and more): read it in blocks with
    /// <see cref="ReadRawBytes"/>; the <c>To…Array</c> methods read it whole and work only below 2 GiB.
    /// </summary>
    public bool StaysInFile => ExternalTensorReference.Of(Proto) is not null;

    /// <summary>The bytes the elements take in <c>raw_data</c> layout, or -1 for string tensors.</summary>
    public long RawByteCount => TensorData.RawByteCount(Proto);

    /// <summary>
    /// Copies <paramref name="destination"/>.Length bytes of the elements' little-endian <c>raw_data</c> layout,
    /// starting at byte <paramref name="start"/>: a block of a tensor of any size, from memory or from its file.
    /// </summary>
    public void ReadRawBytes(long start, Span<byte> destination) => TensorData.ReadRaw(Proto, start, destination);

    /// <summary>Parses a serialized <c>TensorProto</c> (e.g. an ONNX test-data <c>input_0.pb</c>).</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a TensorProto (<see cref="OnnxErrorCodes.MalformedProtobuf"/>).</exception>
    public static OnnxTensor Parse(byte[] bytes)
    {
        try
        {
            return new OnnxTensor(TensorProto.Parser.ParseFrom(bytes));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException(OnnxErrorCodes.MalformedProtobuf,
                $"The bytes are not a serialized ONNX TensorProto ({e.Message}). Pass a tensor file written by ONNX tooling.", null, e);
        }
    }

    /// <summary>Serializes the tensor as a <c>TensorProto</c>.</summary>
    public byte[] ToBytes() => Proto.ToByteArray();

    /// <summary>Creates a float32 tensor.</summary>
    public static OnnxTensor FromFloats(string name, IReadOnlyList<long> dims, ReadOnlySpan<float> values) =>
        Create(name, TensorElementType.Float, dims, MemoryMarshal.AsBytes(values), values.Length);

    /// <summary>Creates a float16 tensor.</summary>
    public static OnnxTensor FromFloat16s(string name, IReadOnlyList<long> dims, ReadOnlySpan<Half> values) =>
        Create(name, TensorElementType.Float16, dims, MemoryMarshal.AsBytes(values), values.Length);

    /// <summary>Creates an int8 tensor.</summary>
    public static OnnxTensor FromInt8s(string name, IReadOnlyList<long> dims, ReadOnlySpan<sbyte> values) =>
        Create(name, TensorElementType.Int8, dims, MemoryMarshal.AsBytes(values), values.Length);

    /// <summary>Creates a uint8 tensor.</summary>
    public static OnnxTensor FromUInt8s(string name, IReadOnlyList<long> dims, ReadOnlySpan<byte> values) =>
        Create(name, TensorElementType.UInt8, dims, values, values.Length);

    /// <summary>Creates an int32 tensor.</summary>
    public static OnnxTensor FromInt32s(string name, IReadOnlyList<long> dims, ReadOnlySpan<int> values) =>
        Create(name, TensorElementType.Int32, dims, MemoryMarshal.AsBytes(values), values.Length);

    /// <summary>Creates an int64 tensor.</summary>
    public static OnnxTensor FromInt64s(string name, IReadOnlyList<long> dims, ReadOnlySpan<long> values) =>
        Create(name, TensorElementType.Int64, dims, MemoryMarshal.AsBytes(values), values.Length);

    /// <summary>Reads a float32 tensor's elements.</summary>
    /// <exception cref="OnnxFormatException">Another element type, or data that does not match the dimensions.</exception>
    public float[] ToFloatArray() => TensorData.Read<float>(Proto, TensorElementType.Float);

    /// <summary>Reads a float16 tensor's elements.</summary>
    public Half[] ToFloat16Array() => TensorData.Read<Half>(Proto, TensorElementType.Float16);

    /// <summary>Reads an int8 tensor's elements.</summary>
    public sbyte[] ToInt8Array() => TensorData.Read<sbyte>(Proto, TensorElementType.Int8);

    /// <summary>Reads a uint8 tensor's elements.</summary>
    public byte[] ToUInt8Array() => TensorData.Read<byte>(Proto, TensorElementType.UInt8);

    /// <summary>Reads an int32 tensor's elements.</summary>
    public int[] ToInt32Array() => TensorData.Read<int>(Proto, TensorElementType.Int32);

    /// <summary>Reads an int64 tensor's elements.</summary>
    public long[] ToInt64Array() => TensorData.Read<long>(Proto, TensorElementType.Int64);

    /// <summary>Reads a float64 tensor's elements.</summary>
    public double[] ToDoubleArray() => TensorData.Read<double>(Proto, TensorElementType.Double);

    /// <summary>
    /// The elements as little-endian bytes in <c>raw_data</c> layout, whichever field the model
    /// stored them in (any fixed-size element type; not strings).
    /// </summary>
    /// <exception cref="OnnxFormatException">A string tensor, or data that does not match the dimensions.</exception>
    public byte[] ToRawBytes() => TensorData.ToRawBytes(Proto);

    /// <summary>Reads a string tensor's elements as UTF-8 decoded strings.</summary>
    public string[] ToStringArray()
    {
        if (ElementType != TensorElementType.String)
        {
            throw TensorData.WrongType(Proto, TensorElementType.String);
        }

        return Proto.StringData.Select(s => s.ToStringUtf8()).ToArray();
    }

    /// <summary>A deep copy.</summary>
    public OnnxTensor Clone() => new(Proto.Clone());

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {ElementType}[{string.Join(",", Dims)}]";

    private static OnnxTensor Create(string name, TensorElementType type, IReadOnlyList<long> dims, ReadOnlySpan<byte> littleEndianBytes, int count)
    {
        long expected = 1;
        foreach (var d in dims)
        {
            expected *= d;
        }

        if (expected != count)
        {
            throw new ArgumentException($"{count} values do not fill dimensions [{string.Join(",", dims)}] ({expected} elements).", nameof(dims));
        }

        var proto = new TensorProto { Name = name, DataType = (int)type };
        proto.Dims.AddRange(dims);
        // ToLittleEndian made a copy the tensor can own: a second copy would double a large weight's peak.
        proto.RawData = UnsafeByteOperations.UnsafeWrap(TensorData.ToLittleEndian(littleEndianBytes, type));
        return new OnnxTensor(proto);
    }
}

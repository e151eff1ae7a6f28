using Google.Protobuf;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx.Tests;

public sealed class TensorAccessTests
{
    [Fact]
    public void Raw_data_is_read_little_endian()
    {
        var proto = new TensorProto { DataType = (int)TensorElementType.Int32, RawData = ByteString.CopyFrom(1, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF) };
        proto.Dims.Add(2);

        Assert.Equal([1, -2], new OnnxTensor(proto).ToInt32Array());
    }

    [Fact]
    public void Typed_fields_are_read_for_each_supported_type()
    {
        Assert.Equal([1.5f, -2f], Typed(TensorElementType.Float, p => p.FloatData.AddRange([1.5f, -2f])).ToFloatArray());
        Assert.Equal([5L, -6L], Typed(TensorElementType.Int64, p => p.Int64Data.AddRange([5L, -6L])).ToInt64Array());
        Assert.Equal([7, -8], Typed(TensorElementType.Int32, p => p.Int32Data.AddRange([7, -8])).ToInt32Array());
        Assert.Equal(new sbyte[] { -128, 127 }, Typed(TensorElementType.Int8, p => p.Int32Data.AddRange([-128, 127])).ToInt8Array());
        Assert.Equal(new byte[] { 0, 255 }, Typed(TensorElementType.UInt8, p => p.Int32Data.AddRange([0, 255])).ToUInt8Array());
        var halfBits = BitConverter.HalfToUInt16Bits((Half)1.5f);
        Assert.Equal([(Half)1.5f, (Half)0f], Typed(TensorElementType.Float16, p => p.Int32Data.AddRange([halfBits, 0])).ToFloat16Array());
    }

    [Fact]
    public void Created_tensors_round_trip_for_each_supported_type()
    {
        Assert.Equal([1f, 2f], OnnxTensor.FromFloats("f", [2], [1f, 2f]).ToFloatArray());
        Assert.Equal([(Half)3], OnnxTensor.FromFloat16s("h", [1], [(Half)3]).ToFloat16Array());
        Assert.Equal(new sbyte[] { -1, 1 }, OnnxTensor.FromInt8s("i8", [2], [-1, 1]).ToInt8Array());
        Assert.Equal(new byte[] { 9 }, OnnxTensor.FromUInt8s("u8", [1], [9]).ToUInt8Array());
        Assert.Equal([int.MinValue], OnnxTensor.FromInt32s("i32", [1], [int.MinValue]).ToInt32Array());
        Assert.Equal([long.MaxValue], OnnxTensor.FromInt64s("i64", [], [long.MaxValue]).ToInt64Array());
        Assert.Equal(TensorElementType.Float16, OnnxTensor.Parse(OnnxTensor.FromFloat16s("h", [1], [(Half)3]).ToBytes()).ElementType);
    }

    [Fact]
    public void Reading_the_wrong_type_or_short_data_is_a_coded_error()
    {
        var floats = OnnxTensor.FromFloats("f", [2], [1f, 2f]);
        Assert.Equal(OnnxErrorCodes.TensorDataInvalid, Assert.Throws<OnnxFormatException>(() => floats.ToInt64Array()).Code);

        var shortData = new TensorProto { Name = "short", DataType = (int)TensorElementType.Float, RawData = ByteString.CopyFrom(0, 0, 0, 0) };
        shortData.Dims.Add(3);
        Assert.Equal(OnnxErrorCodes.TensorDataInvalid, Assert.Throws<OnnxFormatException>(() => new OnnxTensor(shortData).ToFloatArray()).Code);
    }

    [Fact]
    public void Creating_with_mismatched_dims_is_refused()
    {
        Assert.Throws<ArgumentException>(() => OnnxTensor.FromFloats("f", [3], [1f]));
    }

    private static OnnxTensor Typed(TensorElementType type, Action<TensorProto> fill)
    {
        var proto = new TensorProto { DataType = (int)type };
        proto.Dims.Add(2);
        fill(proto);
        if (type == TensorElementType.Float16)
        {
            proto.Dims[0] = proto.Int32Data.Count;
        }

        return new OnnxTensor(proto);
    }
}

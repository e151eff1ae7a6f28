using System.Text;
using Optimizer.Engine.DataFiles;
using Optimizer.Passes;

namespace Optimizer.Engine.Tests.DataFiles;

/// <summary>The .npy and raw float32 readers behind every data file a plan names.</summary>
public sealed class CalibrationDataParserTests
{
    private static byte[] Npy(int major, string header, float[] values)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header + "\n");
        var prefix = major == 1 ? 10 : 12;
        var padded = (prefix + headerBytes.Length + 63) / 64 * 64 - prefix;
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([(byte)major, 0]);
        bytes.AddRange(major == 1 ? BitConverter.GetBytes((ushort)padded) : BitConverter.GetBytes((uint)padded));
        bytes.AddRange(headerBytes.Take(headerBytes.Length - 1));
        bytes.AddRange(Enumerable.Repeat((byte)' ', padded - headerBytes.Length));
        bytes.Add((byte)'\n');
        bytes.AddRange(values.SelectMany(BitConverter.GetBytes));
        return bytes.ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Npy_versions_1_2_3_of_little_endian_float32_parse(int major)
    {
        var data = NpyParser.Parse(Npy(major, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", [1, 2, 3, 4, 5, 6]));

        Assert.Equal([2L, 3], data.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], data.Values);
        Assert.Equal(3, data.SampleSize);
    }

    [Fact]
    public void Npy_from_a_stream_parses()
    {
        var data = NpyParser.Parse(new MemoryStream(Npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", [1, 2, 3, 4])));
        Assert.Equal(4, data.SampleCount);
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }")]
    public void Other_dtypes_and_fortran_order_are_OPT1252(string header)
    {
        var error = Assert.Throws<PassException>(() => NpyParser.Parse(Npy(1, header, [1, 2, 3, 4, 5, 6])));
        Assert.Equal(PassErrorCodes.CalibrationDataNotSupported, error.Code);
    }

    [Fact]
    public void Bad_magic_and_truncated_data_are_OPT1251()
    {
        Assert.Equal(PassErrorCodes.CalibrationDataInvalid, Assert.Throws<PassException>(() => NpyParser.Parse("not numpy"u8.ToArray())).Code);
        var truncated = Npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", [1, 2, 3]);
        Assert.Equal(PassErrorCodes.CalibrationDataInvalid, Assert.Throws<PassException>(() => NpyParser.Parse(truncated)).Code);
    }

    [Fact]
    public void Raw_float32_parses_with_its_declared_shape_and_refuses_a_wrong_one()
    {
        var bytes = new float[] { 1, 2, 3, 4, 5, 6 }.SelectMany(BitConverter.GetBytes).ToArray();

        Assert.Equal([4f, 5, 6], RawFloat32Parser.Parse(bytes, [2, 3]).Values[3..]);
        Assert.Equal(PassErrorCodes.CalibrationDataInvalid, Assert.Throws<PassException>(() => RawFloat32Parser.Parse(bytes, [4, 3])).Code);
    }
}

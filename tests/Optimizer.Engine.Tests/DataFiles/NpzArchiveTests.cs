using System.Diagnostics;
using System.IO.Compression;
using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Tests.Shared;
using static Optimizer.Engine.Tests.DataFiles.NpzBytes;

namespace Optimizer.Engine.Tests.DataFiles;

/// <summary>
/// The <c>.npz</c> reader: every dtype a model input has, round-tripped; archives NumPy itself wrote;
/// and every hostile archive (zip bombs, lies about sizes, pickles, duplicates, paths, corrupt zips,
/// NaN) refused with a coded error naming the file and the array, before anything large is allocated.
/// </summary>
public sealed class NpzArchiveTests
{
    private static IReadOnlyList<NpzArray> Read(byte[] zip, NpzLimits? limits = null) =>
        NpzArchive.Read(new MemoryStream(zip), "data.npz", "Calibration", null, limits);

    private static EngineException Refused(string code, byte[] zip, NpzLimits? limits = null)
    {
        var error = Assert.Throws<EngineException>(() => Read(zip, limits));
        Assert.Equal(code, error.Code);
        Assert.Contains("Calibration file 'data.npz'", error.Message);
        return error;
    }

    private static byte[] OneArray(string name, string descr, string shape, byte[] data, bool fortran = false) =>
        Zip([(name, Npy(descr, shape, data, fortran))]);

    [Theory]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Optimal)]
    public void Every_dtype_reads_with_its_onnx_type_shape_and_values(CompressionLevel level)
    {
        var zip = Zip(
        [
            ("f32.npy", Npy("<f4", "(2, 2)", Bytes(1.5f, -2f, 3f, 1e-3f))),
            ("f16.npy", Npy("<f2", "(3,)", Bytes((Half)0.5f, (Half)(-1f), Half.MaxValue))),
            ("f64.npy", Npy("<f8", "(2,)", Bytes(Math.PI, -1e300))),
            ("input_ids.npy", Npy("<i8", "(1, 3)", Bytes(101L, long.MaxValue, long.MinValue))),
            ("i32.npy", Npy("<i4", "(2,)", Bytes(int.MinValue, 7))),
            ("i16.npy", Npy("<i2", "(2,)", Bytes(short.MinValue, (short)9))),
            ("i8.npy", Npy("|i1", "(2,)", Bytes((sbyte)-128, (sbyte)127))),
            ("u8.npy", Npy("|u1", "(2,)", Bytes((byte)0, (byte)255))),
            ("mask.npy", Npy("|b1", "(2, 1)", Bytes(true, false))),
            ("scalar.npy", Npy("<f4", "()", Bytes(4f))),
        ], level);

        var arrays = Read(zip).ToDictionary(a => a.Name);

        Assert.Equal(["f32", "f16", "f64", "input_ids", "i32", "i16", "i8", "u8", "mask", "scalar"], Read(zip).Select(a => a.Name));
        Assert.Equal(TensorElementType.Float, arrays["f32"].ElementType);
        Assert.Equal([2L, 2], arrays["f32"].Shape);
        Assert.Equal([1.5f, -2f, 3f, 1e-3f], arrays["f32"].Values<float>().ToArray());
        Assert.Equal(TensorElementType.Float16, arrays["f16"].ElementType);
        Assert.Equal([(Half)0.5f, (Half)(-1f), Half.MaxValue], arrays["f16"].Values<Half>().ToArray());
        Assert.Equal(TensorElementType.Double, arrays["f64"].ElementType);
        Assert.Equal([Math.PI, -1e300], arrays["f64"].Values<double>().ToArray());
        Assert.Equal(TensorElementType.Int64, arrays["input_ids"].ElementType);
        Assert.Equal([1L, 3], arrays["input_ids"].Shape);
        Assert.Equal([101L, long.MaxValue, long.MinValue], arrays["input_ids"].Values<long>().ToArray());
        Assert.Equal(TensorElementType.Int32, arrays["i32"].ElementType);
        Assert.Equal([int.MinValue, 7], arrays["i32"].Values<int>().ToArray());
        Assert.Equal(TensorElementType.Int16, arrays["i16"].ElementType);
        Assert.Equal([short.MinValue, (short)9], arrays["i16"].Values<short>().ToArray());
        Assert.Equal(TensorElementType.Int8, arrays["i8"].ElementType);
        Assert.Equal([(sbyte)-128, (sbyte)127], arrays["i8"].Values<sbyte>().ToArray());
        Assert.Equal(TensorElementType.UInt8, arrays["u8"].ElementType);
        Assert.Equal([(byte)0, (byte)255], arrays["u8"].Values<byte>().ToArray());
        Assert.Equal(TensorElementType.Bool, arrays["mask"].ElementType);
        Assert.Equal([true, false], arrays["mask"].Values<bool>().ToArray());
        Assert.Empty(arrays["scalar"].Shape);
        Assert.Equal(1, arrays["scalar"].ElementCount);
        Assert.Throws<InvalidOperationException>(() => arrays["input_ids"].Values<int>().Length);
    }

    [Fact]
    public void Lossless_widenings_keep_every_value_and_lossy_ones_are_declined()
    {
        var arrays = Read(Zip(
        [
            ("ids.npy", Npy("<i4", "(1, 3)", Bytes(int.MinValue, -1, int.MaxValue))),
            ("u8.npy", Npy("|u1", "(2,)", Bytes((byte)255, (byte)0))),
            ("half.npy", Npy("<f2", "(2,)", Bytes((Half)0.333f, Half.MinValue))),
            ("wide.npy", Npy("<i8", "(1,)", Bytes(long.MaxValue))),
            ("mask.npy", Npy("|b1", "(1,)", Bytes(true))),
        ])).ToDictionary(a => a.Name);

        Assert.True(arrays["ids"].TryWiden(TensorElementType.Int64, out var ids));
        Assert.Equal(TensorElementType.Int64, ids.ElementType);
        Assert.Equal([1L, 3], ids.Shape);
        Assert.Equal([int.MinValue, -1L, int.MaxValue], ids.Values<long>().ToArray());
        Assert.True(arrays["u8"].TryWiden(TensorElementType.Int32, out var u8));
        Assert.Equal([255, 0], u8.Values<int>().ToArray());
        Assert.True(arrays["half"].TryWiden(TensorElementType.Float, out var half));
        Assert.Equal([(float)(Half)0.333f, (float)Half.MinValue], half.Values<float>().ToArray());
        Assert.True(arrays["wide"].TryWiden(TensorElementType.Int64, out var same));
        Assert.Same(arrays["wide"], same);

        Assert.False(arrays["wide"].TryWiden(TensorElementType.Int32, out _));
        Assert.False(arrays["ids"].TryWiden(TensorElementType.Float, out _));
        Assert.False(arrays["half"].TryWiden(TensorElementType.Int64, out _));
        Assert.False(arrays["mask"].TryWiden(TensorElementType.Int64, out _));
    }

    [ConditionalFact(Needs.PythonOnnx)]
    public void Archives_numpy_writes_read_back_with_the_same_values()
    {
        var folder = Directory.CreateTempSubdirectory("npz-");
        try
        {
            // python3-onnx depends on numpy: where onnx is, numpy is.
            const string Script = """
                import sys, numpy as np
                a = dict(
                    f32=np.arange(6, dtype='<f4').reshape(2, 3) / 4, f16=np.array([0.5, -2], dtype='<f2'),
                    f64=np.array([1e-300, 2.5]), input_ids=np.array([[101, 2023, 102]], dtype=np.int64),
                    i32=np.array([-7, 2**31 - 1], dtype=np.int32), i16=np.array([-300], dtype=np.int16),
                    i8=np.array([-128], dtype=np.int8), u8=np.array([200], dtype=np.uint8), attention_mask=np.array([[True, False]]))
                np.savez(sys.argv[1] + '/stored.npz', **a)
                np.savez_compressed(sys.argv[1] + '/deflated.npz', **a)
                np.savez(sys.argv[1] + '/pickle.npz', x=np.array([{'a': 1}], dtype=object))
                np.savez(sys.argv[1] + '/fortran.npz', x=np.asfortranarray(np.ones((2, 3), dtype='<f4')))
                np.savez(sys.argv[1] + '/nan.npz', ok=np.zeros(2, dtype='<f4'), x=np.array([[1, 2], [3, np.nan]], dtype='<f2'))
                """;
            var python = Process.Start(new ProcessStartInfo(TestNeeds.SystemPython, ["-c", Script, folder.FullName]) { RedirectStandardError = true })!;
            var stderr = python.StandardError.ReadToEnd();
            python.WaitForExit();
            Assert.True(python.ExitCode == 0, stderr);

            foreach (var file in new[] { "stored.npz", "deflated.npz" })
            {
                var arrays = NpzArchive.Read(File.OpenRead(Path.Combine(folder.FullName, file)), file, "Validation", null).ToDictionary(a => a.Name);
                Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f], arrays["f32"].Values<float>().ToArray());
                Assert.Equal([2L, 3], arrays["f32"].Shape);
                Assert.Equal([(Half)0.5f, (Half)(-2f)], arrays["f16"].Values<Half>().ToArray());
                Assert.Equal([1e-300, 2.5], arrays["f64"].Values<double>().ToArray());
                Assert.Equal([101L, 2023, 102], arrays["input_ids"].Values<long>().ToArray());
                Assert.Equal([-7, int.MaxValue], arrays["i32"].Values<int>().ToArray());
                Assert.Equal([(short)-300], arrays["i16"].Values<short>().ToArray());
                Assert.Equal([(sbyte)-128], arrays["i8"].Values<sbyte>().ToArray());
                Assert.Equal([(byte)200], arrays["u8"].Values<byte>().ToArray());
                Assert.Equal(TensorElementType.Bool, arrays["attention_mask"].ElementType);
                Assert.Equal([true, false], arrays["attention_mask"].Values<bool>().ToArray());
            }

            EngineException Error(string file) => Assert.Throws<EngineException>(() => NpzArchive.Read(File.OpenRead(Path.Combine(folder.FullName, file)), file, "Validation", null));
            Assert.Equal(PassErrorCodes.CalibrationDataNotSupported, Error("pickle.npz").Code);
            Assert.Contains("pickles", Error("pickle.npz").Message);
            Assert.Equal(PassErrorCodes.CalibrationDataNotSupported, Error("fortran.npz").Code);
            var nan = Error("nan.npz");
            Assert.Equal(EngineErrorCodes.DataFileValuesInvalid, nan.Code);
            Assert.Contains("array 'x', holds NaN at sample 1, element 1", nan.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("|O", "pickles")]
    [InlineData("<O", "pickles")]
    [InlineData(">f4", "'>f4'")]
    [InlineData("<u4", "'<u4'")]
    [InlineData("<c8", "'<c8'")]
    public void Object_big_endian_and_other_dtypes_are_OPT1252_without_reading_the_values(string descr, string mention)
    {
        var error = Refused(PassErrorCodes.CalibrationDataNotSupported, OneArray("x.npy", descr, "(2,)", new byte[16]));
        Assert.Contains("array 'x'", error.Message);
        Assert.Contains(mention, error.Message);
    }

    [Fact]
    public void Fortran_order_is_OPT1252()
    {
        var error = Refused(PassErrorCodes.CalibrationDataNotSupported, OneArray("x.npy", "<f4", "(2, 2)", new byte[16], fortran: true));
        Assert.Contains("Fortran order", error.Message);
    }

    [Fact]
    public void Archives_that_are_not_one_top_level_npy_per_name_are_OPT1251()
    {
        var array = Npy("<f4", "(1,)", Bytes(1f));
        Assert.Contains("twice", Refused(PassErrorCodes.CalibrationDataInvalid, Zip([("x.npy", array), ("x.npy", array)])).Message);
        Assert.Contains("'notes.txt'", Refused(PassErrorCodes.CalibrationDataInvalid, Zip([("x.npy", array), ("notes.txt", "hi"u8.ToArray())])).Message);
        Assert.Contains("'.npy'", Refused(PassErrorCodes.CalibrationDataInvalid, Zip([(".npy", array)])).Message);
        Assert.Contains("folder", Refused(PassErrorCodes.CalibrationDataInvalid, Zip([("../x.npy", array)])).Message);
        Assert.Contains("folder", Refused(PassErrorCodes.CalibrationDataInvalid, Zip([("dir/x.npy", array)])).Message);
        Assert.Contains("folder", Refused(PassErrorCodes.CalibrationDataInvalid, Zip([("dir\\x.npy", array)])).Message);
        Assert.Contains("no arrays", Refused(PassErrorCodes.CalibrationDataInvalid, Zip([])).Message);
    }

    [Fact]
    public void Truncated_and_corrupt_archives_are_OPT1251()
    {
        var zip = OneArray("x.npy", "<f4", "(64,)", new byte[256]);

        Refused(PassErrorCodes.CalibrationDataInvalid, zip[..(zip.Length / 2)]);
        Refused(PassErrorCodes.CalibrationDataInvalid, zip[..^1]);
        Refused(PassErrorCodes.CalibrationDataInvalid, []);
        Refused(PassErrorCodes.CalibrationDataInvalid, "PK\x03\x04 not really a zip"u8.ToArray());
        Refused(PassErrorCodes.CalibrationDataInvalid, Npy("<f4", "(1,)", Bytes(1f))); // a .npy named .npz
    }

    [Theory]
    [InlineData("(3,)", 8)] // fewer bytes than the shape needs
    [InlineData("(1,)", 8)] // more
    [InlineData("(4611686018427387904, 4611686018427387904)", 8)] // shape × itemsize overflows a long
    [InlineData("(99999999999999999999,)", 8)] // a dimension that is no long
    [InlineData("(-1,)", 8)]
    public void A_header_that_does_not_account_for_the_member_s_bytes_is_OPT1251(string shape, int dataBytes)
    {
        var error = Refused(PassErrorCodes.CalibrationDataInvalid, OneArray("x.npy", "<f4", shape, new byte[dataBytes]));
        Assert.Contains("array 'x'", error.Message);
    }

    [Fact]
    public void A_member_that_is_not_npy_inside_is_OPT1251_naming_it()
    {
        var error = Refused(PassErrorCodes.CalibrationDataInvalid, Zip([("x.npy", "plain text"u8.ToArray())]));
        Assert.Contains("array 'x'", error.Message);
        Assert.Contains("magic", error.Message);
    }

    [Fact]
    public void Bool_bytes_other_than_0_and_1_are_OPT1251()
    {
        Assert.Contains("byte 2", Refused(PassErrorCodes.CalibrationDataInvalid, OneArray("mask.npy", "|b1", "(3,)", [1, 0, 2])).Message);
    }

    [Theory]
    [InlineData("<f4")]
    [InlineData("<f2")]
    [InlineData("<f8")]
    public void NaN_and_infinity_are_OPT1059_naming_the_array_sample_and_element(string descr)
    {
        byte[] Values(double bad) => descr switch
        {
            "<f4" => Bytes(1f, 2f, 3f, (float)bad),
            "<f2" => Bytes((Half)1f, (Half)2f, (Half)3f, (Half)bad),
            _ => Bytes(1d, 2d, 3d, bad),
        };

        foreach (var (bad, said) in new[] { (double.NaN, "NaN"), (double.PositiveInfinity, "+Infinity"), (double.NegativeInfinity, "-Infinity") })
        {
            var zip = Zip([("ok.npy", Npy("<f4", "(2,)", new byte[8])), ("x.npy", Npy(descr, "(2, 2)", Values(bad)))]);
            var error = Refused(EngineErrorCodes.DataFileValuesInvalid, zip);
            Assert.Contains($"array 'x', holds {said} at sample 1, element 1 (flat index 3)", error.Message);
        }
    }

    [Fact]
    public void A_zip_bomb_declaring_2_GiB_is_OPT1081_at_once_without_inflating_it()
    {
        // 2 GiB of float32 zeros behind a real .npy header, deflated to a few MiB.
        var bomb = Zeros("x.npy", "<f4", "(536870912,)", 2L << 30);
        Assert.True(bomb.Length < (64 << 20), $"the bomb is {bomb.Length} bytes");

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        var error = Refused(EngineErrorCodes.DataFileRefused, bomb);
        stopwatch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Contains("array 'x'", error.Message);
        Assert.Contains("2147483", error.Message);
        Assert.True(allocated < 16 << 20, $"refusing the bomb allocated {allocated} bytes");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"refusing the bomb took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Past_the_free_size_an_archive_inflating_out_of_proportion_to_its_size_is_OPT1081()
    {
        var limits = NpzLimits.Default with { FreeInflatedBytes = 1 << 20 };
        var bomb = Zeros("x.npy", "<f4", "(4194304,)", 16 << 20); // 16 MiB of zeros, about 1000:1

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var error = Refused(EngineErrorCodes.DataFileRefused, bomb, limits);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Contains("zip bomb", error.Message);
        Assert.True(allocated < 4 << 20, $"refusing the bomb allocated {allocated} bytes");
        // The same archive under the default free size is ordinary data (masks and padded ids compress as well).
        Assert.Equal(4194304, Read(bomb).Single().ElementCount);
    }

    [Fact]
    public void Totals_and_member_counts_past_the_limits_are_OPT1081()
    {
        var array = Npy("<f4", "(16,)", new byte[64]);
        var three = Zip([("a.npy", array), ("b.npy", array), ("c.npy", array)]);

        Assert.Contains("3 arrays", Refused(EngineErrorCodes.DataFileRefused, three, NpzLimits.Default with { MaxArrays = 2 }).Message);
        Assert.Contains("declare", Refused(EngineErrorCodes.DataFileRefused, three, NpzLimits.Default with { MaxTotalBytes = 2 * array.Length }).Message);
        Assert.Contains("array 'a'", Refused(EngineErrorCodes.DataFileRefused, three, NpzLimits.Default with { MaxArrayBytes = array.Length - 1 }).Message);
        Assert.Equal(3, Read(three).Count);
    }

    [Fact]
    public void A_deflated_member_that_inflates_past_its_declared_size_is_read_only_to_that_size()
    {
        // The zip says 16 float32 values; the deflated data holds 1 MiB more zeros. ZipArchive stops
        // inflating at the declared size, so the lie costs nothing and the declared values are read.
        var npy = Npy("<f4", "(16,)", new byte[64]);
        var lying = WithDeclaredLength(Zeros("x.npy", "<f4", "(16,)", (1 << 20) + 64), (uint)npy.Length);

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var array = Read(lying).Single();
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 1 << 20);
        Assert.Equal(16, array.ElementCount);
    }

    [Fact]
    public void A_stored_member_holding_more_than_its_declared_size_is_OPT1251()
    {
        var npy = Npy("<f4", "(16,)", new byte[64 + 4096]);
        var lying = WithDeclaredLength(Zip([("x.npy", npy)], CompressionLevel.NoCompression), (uint)npy.Length - 4096);

        Assert.Contains("inflates past the", Refused(PassErrorCodes.CalibrationDataInvalid, lying).Message);
    }

    [Fact]
    public void A_member_that_inflates_to_less_than_its_declared_size_is_OPT1251()
    {
        var npy = Npy("<f4", "(32,)", new byte[64]); // the header says 128 bytes of values; 64 are there
        var lying = WithDeclaredLength(Zip([("x.npy", npy)]), (uint)npy.Length + 64);

        Assert.Contains("ends before", Refused(PassErrorCodes.CalibrationDataInvalid, lying).Message);
    }

    [Fact]
    public void A_file_a_plan_names_is_opened_as_untrusted_relative_to_the_project_folder()
    {
        var folder = Directory.CreateTempSubdirectory("npz-plan-");
        try
        {
            var plan = new OptimizationPlan(OptimizationPlan.CurrentFormatVersion, "M", "", Path.Combine(folder.FullName, "m.onnx"), "m.onnx", null,
                Path.Combine(folder.FullName, "out"), folder.FullName, "M.onnx", []);
            File.WriteAllBytes(Path.Combine(folder.FullName, "val.npz"), OneArray("input_ids.npy", "<i8", "(1, 2)", Bytes(101L, 102L)));

            Assert.Equal([101L, 102L], NpzArchive.Read(plan, "val.npz", "Validation", null).Single().Values<long>().ToArray());
            Assert.Equal(EngineErrorCodes.DataFileNotFound, Assert.Throws<EngineException>(() => NpzArchive.Read(plan, "missing.npz", "Validation", null)).Code);
            Assert.Equal(EngineErrorCodes.DataFileRefused, Assert.Throws<EngineException>(() => NpzArchive.Read(plan, ".", "Validation", null)).Code);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Optimal)]
    public void Mutated_archives_fail_only_with_coded_errors(CompressionLevel level)
    {
        var valid = Zip([("input_ids.npy", Npy("<i8", "(2, 3)", Bytes(1L, 2, 3, 4, 5, 6))), ("mask.npy", Npy("|b1", "(2, 3)", new byte[6]))], level);
        var random = new Random(12);
        for (var i = 0; i < 3000; i++)
        {
            var mutated = (byte[])valid.Clone();
            for (var flips = random.Next(1, 5); flips > 0; flips--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            if (random.Next(4) == 0)
            {
                mutated = mutated[..random.Next(mutated.Length)];
            }

            try
            {
                Read(mutated);
            }
            catch (EngineException)
            {
                // a coded error: what hostile bytes must give
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} gave {e.GetType().Name}: {e.Message}");
            }
        }
    }

    [Fact]
    public void The_float32_npy_reader_keeps_its_codes_and_messages_after_sharing_its_header_parsing()
    {
        var error = Assert.Throws<PassException>(() => NpyParser.Parse(Npy("<i8", "(2,)", new byte[16])));
        Assert.Equal(PassErrorCodes.CalibrationDataNotSupported, error.Code);
        Assert.Equal("Calibration .npy data has dtype '<i8'; only little-endian float32 ('<f4') is supported. Save it with array.astype('<f4').", error.Message);
        var scalar = Assert.Throws<PassException>(() => NpyParser.Parse(new MemoryStream(Npy("<f4", "()", new byte[4]))));
        Assert.Equal(PassErrorCodes.CalibrationDataInvalid, scalar.Code);
        Assert.Equal("Calibration .npy data is a 0-d scalar; calibration data needs a samples dimension.", scalar.Message);
        var v2Short = Npy("<f4", "(1,)", new byte[4])[..11];
        v2Short[6] = 2;
        Assert.Equal("Calibration .npy data ends inside its header.", Assert.Throws<PassException>(() => NpyParser.Parse(new MemoryStream(v2Short))).Message);
    }
}

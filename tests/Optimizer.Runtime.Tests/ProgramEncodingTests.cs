using System.Buffers.Binary;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The kernel program's compact encoding (format 5: <see cref="ProgramWriter"/>/<see cref="ProgramReader"/>)
/// against hostile bytes: a truncated program, oversize counts, overlong varints, a name prefix
/// longer than the previous name, out-of-range indexes and weight references past the weights are
/// each an <see cref="InvalidDataException"/> asking for a rebuild, never another exception or a
/// huge allocation; and another format version is refused with its number.
/// </summary>
public sealed class ProgramEncodingTests
{
    private static string Source => SharedData.PathOf("models/digits_mlp.onnx");

    [ConditionalFact("data")]
    public void Every_truncation_of_a_real_program_is_refused_as_invalid_data()
    {
        byte[] program = CompiledDigitsMlp.ProgramOf(Source, ProgramWeights.FromModel);
        byte[] model = File.ReadAllBytes(Source);
        using (KernelProgram whole = KernelProgram.Read(program, model))
        {
            Assert.NotEmpty(whole.References);
        }

        for (int length = 0; length < program.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => KernelProgram.Read(program.AsSpan(0, length), model).Dispose());
        }
    }

    [ConditionalFact("data")]
    public void Any_corrupted_byte_before_the_weights_reads_or_is_refused_as_invalid_data()
    {
        byte[] program = CompiledDigitsMlp.ProgramOf(Source, ProgramWeights.FromModel);
        byte[] model = File.ReadAllBytes(Source);
        int refused = 0;
        for (int position = 8; position < program.Length - 64; position++)
        {
            foreach (byte value in new byte[] { 0x00, 0x7F, 0x80, 0xFF })
            {
                byte[] corrupted = (byte[])program.Clone();
                corrupted[position] = value;
                try
                {
                    KernelProgram.Read(corrupted, model).Dispose();
                }
                catch (InvalidDataException)
                {
                    refused++;
                }
            }
        }

        Assert.True(refused > 0);
    }

    [Fact]
    public void An_oversize_count_is_refused_before_anything_is_allocated()
    {
        // Header, then a symbol count of 2³¹ − 1 in a 9-byte program.
        byte[] bytes = [.. "OPTK"u8, 5, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x07];
        var error = Assert.Throws<InvalidDataException>(() => KernelProgram.Read(bytes));
        Assert.Contains("Rebuild the project", error.Message);
    }

    [Fact]
    public void An_overlong_varint_is_refused()
    {
        byte[] bytes = [.. "OPTK"u8, 5, 0, 0, 0, .. Enumerable.Repeat((byte)0xFF, 10), 0x01];
        Assert.Throws<InvalidDataException>(() => KernelProgram.Read(bytes));
        Assert.Throws<InvalidDataException>(() => new ProgramReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]).Signed());
    }

    [Fact]
    public void Values_round_trip_through_the_encoding()
    {
        long[] values = [0, 1, -1, 63, -64, 127, 128, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue];
        using var stream = new MemoryStream();
        var w = new ProgramWriter(stream);
        foreach (long v in values)
        {
            w.Signed(v);
            w.Count(Math.Abs(v % int.MaxValue));
        }

        w.Name("/encoder/layer.0/attention/MatMul");
        w.Name("/encoder/layer.0/attention/Softmax");
        w.Name("");
        w.Name("é/x");
        w.Flush();
        var r = new ProgramReader(stream.ToArray());
        foreach (long v in values)
        {
            Assert.Equal(v, r.Signed());
            Assert.Equal(Math.Abs(v % int.MaxValue), r.Long());
        }

        Assert.Equal("/encoder/layer.0/attention/MatMul", r.Name());
        Assert.Equal("/encoder/layer.0/attention/Softmax", r.Name());
        Assert.Equal("", r.Name());
        Assert.Equal("é/x", r.Name());
    }

    [Fact]
    public void A_name_sharing_more_bytes_than_the_previous_name_has_is_refused()
    {
        using var stream = new MemoryStream();
        var w = new ProgramWriter(stream);
        w.Name("abc");
        w.Flush();
        byte[] bytes = [.. stream.ToArray(), 4, 0];
        var r = new ProgramReader(bytes);
        Assert.Equal("abc", r.Name());
        try
        {
            r.Name();
            Assert.Fail("a prefix of 4 bytes of a 3-byte name was read");
        }
        catch (InvalidDataException)
        {
        }
    }

    [Fact]
    public void An_index_outside_its_table_is_refused()
    {
        var r = new ProgramReader([5]);
        try
        {
            r.Index(5);
            Assert.Fail("index 5 of a 5-entry table was read");
        }
        catch (InvalidDataException)
        {
        }
    }

    [Fact]
    public void A_weight_reference_past_the_weights_is_refused()
    {
        using var stream = new MemoryStream();
        var w = new ProgramWriter(stream);
        WeightReferences.Write(w, [new WeightReference(long.MaxValue / 2, 256, "w", WeightTransform.Raw, [])]);
        w.Flush();
        var r = new ProgramReader(stream.ToArray());
        WeightReference[] references = WeightReferences.Read(ref r);
        var error = Assert.Throws<InvalidDataException>(() => WeightReferences.StoredLength(references, 4096));
        Assert.Contains("does not fit its weights", error.Message);

        // A gap that overflows the offset is refused while reading.
        byte[] overflowing = [1, .. ProgramVarints.Of(ulong.MaxValue >> 1), .. ProgramVarints.Of(ulong.MaxValue >> 1), 1, (byte)'w', 0, 0];
        var reader = new ProgramReader(overflowing);
        try
        {
            WeightReferences.Read(ref reader);
            Assert.Fail("an offset past 2⁶³ was read");
        }
        catch (InvalidDataException)
        {
        }
    }

    /// <summary>Tap-major arguments whose packed length would not fit an int (or whose product would wrap a long) are refused, not packed.</summary>
    [Theory]
    [InlineData(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue)]
    [InlineData(1, 1, 1 << 30, 4)]
    [InlineData(0, 16, 3, 3)]
    public void Tap_major_weights_with_impossible_arguments_are_refused(int c, int m, int kh, int kw)
    {
        var reference = new WeightReference(0, 1024, "w", WeightTransform.PackInt8TapMajor, [c, m, kh, kw]);
        var error = Assert.Throws<InvalidDataException>(() => WeightReferences.StoredLength([reference], 4096));
        Assert.Contains("does not fit its weights", error.Message);
        Assert.Equal(Kernels.PackedInt8TapMajorLength(16, 32, 3, 3),
            new WeightReference(0, 0, "w", WeightTransform.PackInt8TapMajor, [16, 32, 3, 3]).ProducedLength());
    }

    [Fact]
    public void A_program_of_another_format_version_is_refused_with_its_number()
    {
        byte[] bytes = [.. "OPTK"u8, 0, 0, 0, 0, 0, 0, 0, 0];
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 4);
        var error = Assert.Throws<InvalidDataException>(() => KernelProgram.Read(bytes));
        Assert.Contains("format version 4; this runtime reads version 5", error.Message);
    }
}

using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// Front-coded step names against crafted programs: each name sharing all of the previous one plus
/// a byte would decode to a quadratic amount of text (200,000 steps in 1.4 MB: 20 GB), and names of
/// the longest length differing in their last byte to thousands of times the stream. Both are refused
/// as invalid data (the program's coded error) after a bounded amount of decoding; a name repeated by
/// several steps (one node, several steps) decodes once and costs nothing.
/// </summary>
public sealed class ProgramNameBoundsTests
{
    [Fact]
    public void Names_growing_by_a_byte_a_step_are_refused_before_they_grow_quadratically()
    {
        const int steps = 200_000;
        var program = new List<byte>();
        program.AddRange("OPTK"u8.ToArray());
        program.AddRange(BitConverter.GetBytes(5));
        program.AddRange([0, 0, 0, 0, 0, 0]); // no symbols, expressions, inputs, outputs, arena blocks or guards
        program.AddRange(ProgramVarints.Of(steps));
        for (var s = 0; s < steps; s++)
        {
            // A Copy step without operands or arguments; its name is the previous one and an 'a'.
            program.AddRange([(byte)StepKind.Copy, 0, 0, 0]);
            program.AddRange(ProgramVarints.Of((ulong)s));
            program.AddRange([1, (byte)'a']);
        }

        var error = Assert.Throws<InvalidDataException>(() => KernelProgram.Read(program.ToArray()));
        Assert.Contains("Rebuild the project", error.Message);
    }

    [Fact]
    public void Names_of_the_longest_length_are_decoded_only_up_to_a_multiple_of_the_stream()
    {
        var stream = new List<byte>();
        stream.AddRange(ProgramVarints.Of(0));
        stream.AddRange(ProgramVarints.Of(ProgramReader.MaxNameBytes));
        stream.AddRange(Enumerable.Repeat((byte)'n', ProgramReader.MaxNameBytes));
        for (var i = 0; i < 100_000; i++)
        {
            // The same long prefix, another last byte: 4,096 bytes of text from 4 bytes of stream.
            stream.AddRange(ProgramVarints.Of(ProgramReader.MaxNameBytes - 1));
            stream.AddRange([1, (byte)('a' + i % 2)]);
        }

        var bytes = stream.ToArray();
        var reader = new ProgramReader(bytes);
        long decoded = 0;
        try
        {
            while (true)
            {
                decoded += reader.Name().Length;
            }
        }
        catch (InvalidDataException)
        {
        }

        Assert.InRange(decoded, ProgramReader.MaxNameBytes, (long)ProgramReader.NameExpansion * bytes.Length);
    }

    [Fact]
    public void A_name_longer_than_the_limit_is_refused_and_the_writer_cuts_it_to_the_limit()
    {
        byte[] tooLong = [0, .. ProgramVarints.Of(ProgramReader.MaxNameBytes + 1), .. Enumerable.Repeat((byte)'x', ProgramReader.MaxNameBytes + 1)];
        var reader = new ProgramReader(tooLong);
        try
        {
            reader.Name();
            Assert.Fail("a name over the limit was read");
        }
        catch (InvalidDataException)
        {
        }

        using var stream = new MemoryStream();
        var writer = new ProgramWriter(stream);
        writer.Name(new string('y', ProgramReader.MaxNameBytes + 100));
        writer.Name(new string('y', ProgramReader.MaxNameBytes + 100));
        writer.Name("z");
        writer.Flush();
        var back = new ProgramReader(stream.ToArray());
        var first = back.Name();
        Assert.Equal(new string('y', ProgramReader.MaxNameBytes), first);
        Assert.Same(first, back.Name());
        Assert.Equal("z", back.Name());
    }
}

using System.Text;

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// The compact encoding of a kernel program (format 5): counts, indexes and sizes as LEB128
/// varints (signed values zigzag), strings as a varint byte length and UTF-8, and each step's node
/// name front-coded against the previous step's (the bytes it shares, then the rest): a schedule is
/// mostly small indexes and long names with common prefixes (<c>/encoder/layer.3/attention/…</c>).
/// Read back by <see cref="ProgramReader"/>.
/// </summary>
internal sealed class ProgramWriter(Stream stream)
{
    private readonly BinaryWriter _w = new(stream, Encoding.UTF8, leaveOpen: true);
    private byte[] _previousName = [];

    public long Position => stream.Position;

    public void Raw(ReadOnlySpan<byte> bytes) => _w.Write(bytes);

    public void Byte(byte value) => _w.Write(value);

    public void Int32(int value) => _w.Write(value);

    public void Int64(long value) => _w.Write(value);

    public void Single(float value) => _w.Write(value);

    /// <summary>A value that is never negative (a count, an index, an offset).</summary>
    public void Count(long value)
    {
        Varint((ulong)(value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A count cannot be negative.")));
    }

    /// <summary>Any value, zigzag-encoded so small negative ones stay short.</summary>
    public void Signed(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

    public void String(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Count(bytes.Length);
        _w.Write(bytes);
    }

    /// <summary>A step's node name: the length of the prefix it shares with the previous name, then the rest.</summary>
    public void Name(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length > ProgramReader.MaxNameBytes)
        {
            // The reader refuses longer names; a name only labels the step (profiles, errors), so its start does.
            bytes = bytes[..ProgramReader.MaxNameBytes];
        }

        var shared = bytes.AsSpan().CommonPrefixLength(_previousName);
        Count(shared);
        Count(bytes.Length - shared);
        _w.Write(bytes, shared, bytes.Length - shared);
        _previousName = bytes;
    }

    public void Flush() => _w.Flush();

    private void Varint(ulong v)
    {
        while (v >= 0x80)
        {
            _w.Write((byte)(v | 0x80));
            v >>= 7;
        }

        _w.Write((byte)v);
    }
}

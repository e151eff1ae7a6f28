using System.Buffers.Binary;
using System.Text;

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// Reads what <see cref="ProgramWriter"/> wrote, every read bounds-checked: a truncated program, a
/// varint longer than its type, a count larger than the bytes left or a name prefix longer than the
/// previous name is an <see cref="InvalidDataException"/> ("… Rebuild the project."), never an
/// out-of-range read or a huge allocation. Front-coded names could otherwise decode to far more than
/// they occupy (each repeating the whole previous name plus a byte: quadratic in the stream), so a
/// name is at most <see cref="MaxNameBytes"/> and all names together at most
/// <see cref="NameExpansion"/> times the stream's length (a repeated name is the same string, not counted).
/// </summary>
internal ref struct ProgramReader(ReadOnlySpan<byte> data)
{
    private const string Truncated = "The kernel program is truncated. Rebuild the project to regenerate it.";
    private const string OutOfRange = "The kernel program is malformed (a count, index or size out of range). Rebuild the project to regenerate it.";

    /// <summary>The longest step name (UTF-8 bytes); ONNX node names are paths of a few hundred at most.</summary>
    public const int MaxNameBytes = 4096;

    /// <summary>How many bytes of names one byte of the stream may decode to, all names together (real programs: under 0.3, arctic_embed_xs the most).</summary>
    public const int NameExpansion = 64;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;
    private byte[] _previousName = [];
    private string _previousNameText = "";
    private long _nameBytesLeft = (long)NameExpansion * data.Length;

    public void Skip(int count) => Bytes(count);

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || count > _data.Length - _position)
        {
            throw new InvalidDataException(Truncated);
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    public byte Byte() => Bytes(1)[0];

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));

    public float Single() => BinaryPrimitives.ReadSingleLittleEndian(Bytes(4));

    /// <summary>A count of items at least one byte each: refused when larger than the bytes left.</summary>
    public int Count() => Index(_data.Length - _position);

    /// <summary>A non-negative value below <paramref name="limit"/> (an index into a table it names).</summary>
    public int Index(int limit)
    {
        var value = Varint();
        return value < (ulong)Math.Max(0, limit) ? (int)value : throw new InvalidDataException(OutOfRange);
    }

    /// <summary>A non-negative 64-bit value (an offset or length).</summary>
    public long Long()
    {
        var value = Varint();
        return value <= long.MaxValue ? (long)value : throw new InvalidDataException(OutOfRange);
    }

    /// <summary>A zigzag-encoded value.</summary>
    public long Signed()
    {
        var value = Varint();
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    public string String() => Encoding.UTF8.GetString(Bytes(Index(_data.Length - _position + 1)));

    /// <summary>A front-coded step name (see <see cref="ProgramWriter.Name"/>).</summary>
    public string Name()
    {
        var shared = Index(_previousName.Length + 1);
        var rest = Bytes(Index(Math.Min(_data.Length - _position, MaxNameBytes - shared) + 1));
        if (rest.IsEmpty && shared == _previousName.Length)
        {
            // The previous step's node again (one node, several steps): the same string, nothing decoded.
            return _previousNameText;
        }

        _nameBytesLeft -= shared + rest.Length;
        if (_nameBytesLeft < 0)
        {
            throw new InvalidDataException(OutOfRange);
        }

        var bytes = new byte[shared + rest.Length];
        _previousName.AsSpan(0, shared).CopyTo(bytes);
        rest.CopyTo(bytes.AsSpan(shared));
        _previousName = bytes;
        _previousNameText = Encoding.UTF8.GetString(bytes);
        return _previousNameText;
    }

    private ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return shift == 63 && b > 1 ? throw new InvalidDataException(OutOfRange) : value;
            }
        }

        throw new InvalidDataException(OutOfRange);
    }
}

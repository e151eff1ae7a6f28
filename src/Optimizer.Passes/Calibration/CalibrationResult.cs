// Serialized form (little-endian, deterministic: entries sorted by ordinal name):
//   "OBCAL" | format version (1 byte) | entry count (int32) |
//   per entry: UTF-8 name length (int32) | name bytes | min (float32) | max (float32)

using System.Buffers.Binary;
using System.Text;

namespace Optimizer.Passes.Calibration;

/// <summary>The quantization range chosen for each calibrated activation, by value name.</summary>
public sealed class CalibrationResult
{
    private const byte FormatVersion = 1;
    private static readonly byte[] Magic = "OBCAL"u8.ToArray();

    /// <summary>Creates a result from ranges by value name.</summary>
    public CalibrationResult(IReadOnlyDictionary<string, TensorRange> ranges)
    {
        Ranges = new SortedDictionary<string, TensorRange>(ranges.ToDictionary(), StringComparer.Ordinal);
    }

    /// <summary>Ranges by value name, in ordinal name order.</summary>
    public IReadOnlyDictionary<string, TensorRange> Ranges { get; }

    /// <summary>The bytes to cache: the same result always gives the same bytes.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        stream.Write(Magic);
        stream.WriteByte(FormatVersion);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(word, Ranges.Count);
        stream.Write(word);
        foreach (var (name, range) in Ranges)
        {
            var utf8 = Encoding.UTF8.GetBytes(name);
            BinaryPrimitives.WriteInt32LittleEndian(word, utf8.Length);
            stream.Write(word);
            stream.Write(utf8);
            BinaryPrimitives.WriteSingleLittleEndian(word, range.Min);
            stream.Write(word);
            BinaryPrimitives.WriteSingleLittleEndian(word, range.Max);
            stream.Write(word);
        }

        return stream.ToArray();
    }

    /// <summary>Reads bytes written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="PassException">Not a calibration result of this format version (<see cref="PassErrorCodes.CalibrationCacheInvalid"/>).</exception>
    public static CalibrationResult FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 10 || !bytes[..5].SequenceEqual(Magic) || bytes[5] != FormatVersion)
        {
            throw Invalid("does not start with the calibration result header of format version 1");
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[6..]);
        var position = 10;
        var ranges = new Dictionary<string, TensorRange>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            if (position + 4 > bytes.Length)
            {
                throw Invalid("is truncated");
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
            position += 4;
            if (length < 0 || position + length + 8 > bytes.Length)
            {
                throw Invalid("is truncated or has a bad name length");
            }

            var name = Encoding.UTF8.GetString(bytes.Slice(position, length));
            position += length;
            var min = BinaryPrimitives.ReadSingleLittleEndian(bytes[position..]);
            var max = BinaryPrimitives.ReadSingleLittleEndian(bytes[(position + 4)..]);
            position += 8;
            ranges[name] = new TensorRange(min, max);
        }

        return position == bytes.Length ? new CalibrationResult(ranges) : throw Invalid("has trailing bytes");
    }

    private static PassException Invalid(string problem) =>
        new(PassErrorCodes.CalibrationCacheInvalid, $"The cached calibration result {problem}; delete it and rebuild to recalibrate.");
}

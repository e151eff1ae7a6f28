namespace Optimizer.Hostile.Tests.Fuzz;

/// <summary>
/// A seeded, bounded mutator for in-process fuzzing (SharpFuzz is served, but needs AFL instrumentation that CI here
/// cannot run): byte flips, interesting bytes, inserts, deletes, duplicates, splices with another seed, truncations,
/// and protobuf-aware rewrites of varints and length prefixes found by a tolerant walk of the wire format.
/// The same seed and inputs give the same sequence of mutants.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly ulong[] InterestingValues =
    [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        1UL << 40, 1UL << 62, long.MaxValue, unchecked((ulong)-1L), unchecked((ulong)long.MinValue),
    ];

    private readonly Random _random = new(seed);

    /// <summary>One mutant of <paramref name="input"/>: one to four mutations, splicing from <paramref name="others"/>.</summary>
    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> others)
    {
        var data = new List<byte>(input);
        var count = 1 + _random.Next(4);
        for (var i = 0; i < count; i++)
            MutateOnce(data, others);
        return data.ToArray();
    }

    private void MutateOnce(List<byte> data, IReadOnlyList<byte[]> others)
    {
        switch (_random.Next(data.Count == 0 ? 2 : 9))
        {
            case 0:
                data.InsertRange(_random.Next(data.Count + 1), RandomBytes(1 + _random.Next(8)));
                break;
            case 1:
                if (others.Count > 0 && others[_random.Next(others.Count)] is { Length: > 0 } other)
                {
                    var start = _random.Next(other.Length);
                    data.InsertRange(_random.Next(data.Count + 1), other.Skip(start).Take(1 + _random.Next(Math.Min(64, other.Length - start))));
                }
                break;
            case 2:
                data[_random.Next(data.Count)] ^= (byte)(1 << _random.Next(8));
                break;
            case 3:
                data[_random.Next(data.Count)] = (byte)InterestingValues[_random.Next(6)];
                break;
            case 4:
            {
                var start = _random.Next(data.Count);
                data.RemoveRange(start, Math.Min(data.Count - start, 1 + _random.Next(16)));
                break;
            }
            case 5:
            {
                var start = _random.Next(data.Count);
                var length = Math.Min(data.Count - start, 1 + _random.Next(32));
                data.InsertRange(_random.Next(data.Count + 1), data.GetRange(start, length));
                break;
            }
            case 6:
            {
                var keep = _random.Next(data.Count);
                data.RemoveRange(keep, data.Count - keep);
                break;
            }
            default:
                MutateVarint(data);
                break;
        }
    }

    /// <summary>Rewrites one varint (a field value or a length prefix) with an interesting or nearby value.</summary>
    private void MutateVarint(List<byte> data)
    {
        var varints = new List<(int Offset, int Length, ulong Value)>();
        ProtobufWalk.Varints(data.ToArray(), 0, data.Count, varints, depth: 0);
        if (varints.Count == 0)
        {
            data[_random.Next(data.Count)] = (byte)_random.Next(256);
            return;
        }

        var (offset, length, value) = varints[_random.Next(varints.Count)];
        var replacement = _random.Next(3) switch
        {
            0 => InterestingValues[_random.Next(InterestingValues.Length)],
            1 => value + (ulong)_random.Next(1, 4),
            _ => value - (ulong)_random.Next(1, 4),
        };
        data.RemoveRange(offset, length);
        data.InsertRange(offset, ProtobufWalk.Encode(replacement));
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>A tolerant protobuf wire-format walk that lists varints (values and length prefixes), descending into payloads that parse as messages.</summary>
internal static class ProtobufWalk
{
    public static void Varints(byte[] data, int start, int end, List<(int Offset, int Length, ulong Value)> found, int depth)
    {
        var position = start;
        while (position < end && depth < 32)
        {
            if (!TryRead(data, ref position, end, out var tag, out _) || tag >> 3 == 0)
                return;
            switch (tag & 7)
            {
                case 0:
                {
                    var at = position;
                    if (!TryRead(data, ref position, end, out var value, out var length))
                        return;
                    found.Add((at, length, value));
                    break;
                }
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                {
                    var at = position;
                    if (!TryRead(data, ref position, end, out var size, out var length) || size > (ulong)(end - position))
                        return;
                    found.Add((at, length, size));
                    var before = found.Count;
                    Varints(data, position, position + (int)size, found, depth + 1);
                    if (found.Count - before > 64)
                        found.RemoveRange(before + 64, found.Count - before - 64);
                    position += (int)size;
                    break;
                }
                default:
                    return;
            }
        }
    }

    public static byte[] Encode(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return bytes.ToArray();
    }

    private static bool TryRead(byte[] data, ref int position, int end, out ulong value, out int length)
    {
        value = 0;
        length = 0;
        for (var shift = 0; shift < 64 && position < end; shift += 7)
        {
            var b = data[position++];
            length++;
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return true;
        }
        return false;
    }
}

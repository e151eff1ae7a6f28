namespace Optimizer.Onnx.Tests.Fuzz;

/// <summary>Byte-level mutations of a serialized model: flips, overwrites, inserts, deletions, truncations and lying varints.</summary>
internal static class ByteMutator
{
    // Varints a hostile writer would use as lengths or values: 2^62, 2^32 + 3, 2^31, int.MaxValue, a 10-byte -1.
    private static readonly byte[][] Varints =
    [
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40],
        [0x83, 0x80, 0x80, 0x80, 0x10],
        [0x80, 0x80, 0x80, 0x80, 0x08],
        [0xFF, 0xFF, 0xFF, 0xFF, 0x07],
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
    ];

    public static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        for (var step = random.Next(1, 5); step > 0 && bytes.Count > 0; step--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256)));
                    break;
                case 3:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 17), bytes.Count - at));
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5:
                    var varint = Varints[random.Next(Varints.Length)];
                    bytes.RemoveRange(at, Math.Min(varint.Length, bytes.Count - at));
                    bytes.InsertRange(at, varint);
                    break;
                default:
                    // Repeat a chunk: repeated fields, duplicated names.
                    var length = Math.Min(random.Next(1, 64), bytes.Count - at);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
            }
        }

        return bytes.ToArray();
    }
}

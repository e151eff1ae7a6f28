using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Optimizer.EndToEnd.Tests.RealData;

/// <summary>One array of an <c>.npz</c>: its name (the model input it feeds), shape and values.</summary>
internal sealed record NpzArray(string Name, int[] Shape, Array Values)
{
    public static NpzArray Int64(string name, long[] values, params int[] shape) => new(name, shape, values);

    public static NpzArray Float32(string name, float[] values, params int[] shape) => new(name, shape, values);
}

/// <summary>
/// Writes NumPy's <c>.npz</c> (a zip of <c>.npy</c> files, stored, as <c>numpy.savez</c> writes it) for
/// int64 and float32 arrays, deterministically (fixed entry times). Test-side only: the engine's reader
/// (NpzArchive) is the code under test, so this writer shares nothing with it.
/// </summary>
internal static class NpzWriter
{
    private static readonly DateTimeOffset FixedTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Write(string path, params NpzArray[] arrays)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var array in arrays)
        {
            var entry = zip.CreateEntry(array.Name + ".npy", CompressionLevel.NoCompression);
            entry.LastWriteTime = FixedTime;
            using var stream = entry.Open();
            stream.Write(Npy(array));
        }
    }

    /// <summary>One <c>.npy</c> file, format version 1.0: magic, header dict padded to 64 bytes, little-endian data.</summary>
    private static byte[] Npy(NpzArray array)
    {
        var (descr, size) = array.Values switch
        {
            long[] => ("<i8", 8),
            float[] => ("<f4", 4),
            _ => throw new ArgumentException($"NpzWriter writes int64 and float32 arrays, not {array.Values.GetType().Name}"),
        };
        long count = array.Shape.Aggregate(1L, (a, b) => a * b);
        if (count != array.Values.Length)
            throw new ArgumentException($"{array.Name}: shape [{string.Join(",", array.Shape)}] holds {count} values, not {array.Values.Length}");

        var shape = array.Shape.Length == 1 ? $"({array.Shape[0]},)" : "(" + string.Join(", ", array.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        const int preamble = 10; // magic (6) + version (2) + header length (2)
        var padded = header.PadRight((preamble + header.Length + 1 + 63) / 64 * 64 - preamble - 1) + "\n";

        var bytes = new byte[preamble + padded.Length + count * size];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)padded.Length);
        Encoding.ASCII.GetBytes(padded, bytes.AsSpan(preamble));
        var data = bytes.AsSpan(preamble + padded.Length);
        switch (array.Values)
        {
            case long[] longs:
                for (var i = 0; i < longs.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(data[(8 * i)..], longs[i]);
                break;
            case float[] floats:
                for (var i = 0; i < floats.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data[(4 * i)..], floats[i]);
                break;
        }

        return bytes;
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace Optimizer.Tests.Shared;

/// <summary>
/// Writes <c>.npz</c> archives as <c>numpy.savez</c> does (a stored zip of version-1 <c>.npy</c>
/// members), so tests can hand real data files of any dtype to the engine without Python.
/// </summary>
internal sealed class NpzWriter
{
    private readonly List<(string Name, byte[] Npy)> _arrays = [];

    /// <summary>Adds an array; <paramref name="descr"/> is NumPy's dtype string (<c>&lt;i8</c>, <c>&lt;f4</c>, <c>|b1</c>, …).</summary>
    public NpzWriter Add<T>(string name, string descr, long[] shape, params T[] values)
        where T : unmanaged
    {
        _arrays.Add((name, Npy(descr, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray())));
        return this;
    }

    /// <summary>A float32 array.</summary>
    public NpzWriter Floats(string name, long[] shape, params float[] values) => Add(name, "<f4", shape, values);

    /// <summary>An int64 array.</summary>
    public NpzWriter Int64s(string name, long[] shape, params long[] values) => Add(name, "<i8", shape, values);

    /// <summary>An int32 array.</summary>
    public NpzWriter Int32s(string name, long[] shape, params int[] values) => Add(name, "<i4", shape, values);

    /// <summary>The archive's bytes (members stored, as numpy.savez writes them), the same for the same arrays.</summary>
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, npy) in _arrays)
            {
                var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
                entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero); // equal data, equal bytes (build cache keys)
                using var stream = entry.Open();
                stream.Write(npy);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Writes the archive to <paramref name="path"/> (creating its folder) and returns the path.</summary>
    public string WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, ToBytes());
        return path;
    }

    /// <summary>A version-1 <c>.npy</c>: magic, the header dict padded to a multiple of 64 bytes with a final newline, then the data.</summary>
    public static byte[] Npy(string descr, IReadOnlyList<long> shape, byte[] data, bool fortranOrder = false)
    {
        var dims = shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        return Npy(descr, dims, data, fortranOrder);
    }

    /// <summary>As <see cref="Npy(string, IReadOnlyList{long}, byte[], bool)"/> with the shape as NumPy writes it, e.g. <c>(2, 3)</c> (or anything a hostile file may hold).</summary>
    public static byte[] Npy(string descr, string shape, byte[] data, bool fortranOrder = false)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shape}, }}";
        var padded = (10 + header.Length + 1 + 63) / 64 * 64 - 10;
        var bytes = new byte[10 + padded + data.Length];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)padded);
        Encoding.ASCII.GetBytes(header.PadRight(padded - 1) + "\n").CopyTo(bytes, 10);
        data.CopyTo(bytes, 10 + padded);
        return bytes;
    }
}

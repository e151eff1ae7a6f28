using System.Buffers.Binary;
using System.IO.Compression;
using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests.DataFiles;

/// <summary>Writes <c>.npy</c> and <c>.npz</c> bytes as NumPy lays them out, so the reader's tests need no Python.</summary>
internal static class NpzBytes
{
    /// <summary>A version-1 <c>.npy</c> (<see cref="NpzWriter.Npy(string, string, byte[], bool)"/>).</summary>
    public static byte[] Npy(string descr, string shape, byte[] data, bool fortran = false) => NpzWriter.Npy(descr, shape, data, fortran);

    /// <summary>A zip of the members given (name → bytes), deflated unless <paramref name="level"/> says otherwise.</summary>
    public static byte[] Zip(IEnumerable<(string Name, byte[] Bytes)> members, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in members)
            {
                using var entry = zip.CreateEntry(name, level).Open();
                entry.Write(bytes);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>One deflated member whose data is <paramref name="zeroBytes"/> zero bytes after a header of <paramref name="shape"/>, written in 1 MiB pieces (never held whole).</summary>
    public static byte[] Zeros(string name, string descr, string shape, long zeroBytes)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
            entry.Write(Npy(descr, shape, []));
            var zeros = new byte[1 << 20];
            for (var left = zeroBytes; left > 0; left -= zeros.Length)
            {
                entry.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
            }
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Rewrites the uncompressed size the zip declares for its first member (central directory and
    /// local header), as a hostile archive would lie about it.
    /// </summary>
    public static byte[] WithDeclaredLength(byte[] zip, uint length)
    {
        var patched = (byte[])zip.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(22), length); // local file header
        var central = patched.AsSpan().LastIndexOf("PK\x01\x02"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(central + 24), length);
        return patched;
    }

    public static byte[] Bytes<T>(params T[] values)
        where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}

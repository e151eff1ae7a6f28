using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Optimizer.Passes.Calibration;

/// <summary>
/// The content hash a calibration result is cached under: the float model's bytes, the data's
/// shape and values, and every option that changes the ranges. Equal inputs give equal keys.
/// </summary>
public static class CalibrationCacheKey
{
    /// <summary>Lower-case hex SHA-256 of the inputs, each length-prefixed so boundaries cannot shift.</summary>
    public static string Compute(ReadOnlySpan<byte> modelBytes, CalibrationDataSet data, string options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendChunk(hash, "calibration-v1"u8);
        AppendChunk(hash, modelBytes);
        var shape = new byte[data.Shape.Count * 8];
        for (var i = 0; i < data.Shape.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(shape.AsSpan(i * 8), data.Shape[i]);
        }

        AppendChunk(hash, shape);
        var values = MemoryMarshal.AsBytes(data.Values.AsSpan());
        if (!BitConverter.IsLittleEndian)
        {
            var copy = values.ToArray();
            for (var i = 0; i < copy.Length; i += 4)
            {
                copy.AsSpan(i, 4).Reverse();
            }

            values = copy;
        }

        AppendChunk(hash, values);
        AppendChunk(hash, Encoding.UTF8.GetBytes(options));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendChunk(IncrementalHash hash, ReadOnlySpan<byte> chunk)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, chunk.Length);
        hash.AppendData(length);
        hash.AppendData(chunk);
    }
}

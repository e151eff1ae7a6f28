using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Passes.Calibration;

/// <summary>
/// The content hash a calibration result is cached under: the float model's bytes, the samples,
/// and every option that changes the ranges. Equal inputs give equal keys.
/// </summary>
public static class CalibrationCacheKey
{
    /// <summary>Lower-case hex SHA-256 of the inputs, each length-prefixed so boundaries cannot shift.</summary>
    public static string Compute(ReadOnlySpan<byte> modelBytes, SampleSet data, string options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (data is StackedSamples { Inputs: [{ RowIsWholeInput: false, Values: { ElementType: TensorElementType.Float } single }] })
        {
            // One stacked float32 input: the layout keys had before other data could be declared
            // (shape, then the little-endian values), so those cached results stay valid.
            AppendChunk(hash, "calibration-v1"u8);
            AppendChunk(hash, modelBytes);
            var shape = new byte[single.Shape.Length * 8];
            for (var i = 0; i < single.Shape.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(shape.AsSpan(i * 8), single.Shape[i]);
            }

            AppendChunk(hash, shape);
            AppendChunk(hash, single.Bytes);
        }
        else
        {
            AppendChunk(hash, "calibration-v2"u8);
            AppendChunk(hash, modelBytes);
            AppendChunk(hash, data.ContentHash());
        }

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

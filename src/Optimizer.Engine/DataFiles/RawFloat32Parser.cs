using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;

namespace Optimizer.Engine.DataFiles;

/// <summary>Parses headerless little-endian float32 data with a shape the user declares (samples first).</summary>
public static class RawFloat32Parser
{
    /// <summary>
    /// Reads the rest of the stream as <paramref name="shape"/>, straight into the values array (no
    /// intermediate copy: calibration files can be gigabytes). The stream must be seekable so its
    /// remaining length is checked against the shape before anything is allocated.
    /// </summary>
    /// <exception cref="PassException">The byte count does not match the shape, or the shape is too large (<see cref="PassErrorCodes.CalibrationDataInvalid"/>).</exception>
    public static CalibrationDataSet Parse(Stream stream, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var count = ElementCount(shape);
        var remaining = stream.Length - stream.Position;
        if (remaining != count * 4)
        {
            throw SizeMismatch(remaining, shape, count);
        }

        var values = new float[count];
        try
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        catch (EndOfStreamException)
        {
            throw new PassException(PassErrorCodes.CalibrationDataInvalid,
                $"Calibration data ended before the {count * 4} bytes shape [{string.Join(",", shape)}] needs (the file became shorter while it was read).");
        }

        if (!BitConverter.IsLittleEndian)
        {
            var raw = MemoryMarshal.Cast<float, int>(values.AsSpan());
            BinaryPrimitives.ReverseEndianness(raw, raw);
        }

        return new CalibrationDataSet(values, shape);
    }

    /// <summary>Parses <paramref name="bytes"/> as little-endian float32 values of <paramref name="shape"/>.</summary>
    /// <exception cref="PassException">The byte count does not match the shape (<see cref="PassErrorCodes.CalibrationDataInvalid"/>).</exception>
    public static CalibrationDataSet Parse(ReadOnlySpan<byte> bytes, IReadOnlyList<long> shape)
    {
        var count = ElementCount(shape);
        if (bytes.Length != count * 4)
        {
            throw SizeMismatch(bytes.Length, shape, count);
        }

        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
        }

        return new CalibrationDataSet(values, shape);
    }

    /// <summary>The element count of <paramref name="shape"/>, refusing negative dimensions and counts one array cannot hold (checked before multiplying, so a hostile shape cannot overflow).</summary>
    private static int ElementCount(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0 || (d > 0 && count > Array.MaxLength / d))
            {
                throw new PassException(PassErrorCodes.CalibrationDataInvalid,
                    $"Calibration data shape [{string.Join(",", shape)}] is negative or too large for one data set (at most {Array.MaxLength} values).");
            }

            count *= d;
        }

        return (int)count;
    }

    private static PassException SizeMismatch(long byteCount, IReadOnlyList<long> shape, long count) =>
        new(PassErrorCodes.CalibrationDataInvalid,
            $"Calibration data has {byteCount} bytes but shape [{string.Join(",", shape)}] of float32 needs {count * 4}. Check the declared shape.");
}

using System.Buffers.Binary;

namespace Optimizer.Passes.Calibration;

/// <summary>Parses headerless little-endian float32 data with a shape the user declares (samples first).</summary>
public static class RawFloat32Parser
{
    /// <summary>Reads the whole stream and parses it as <paramref name="shape"/>.</summary>
    /// <exception cref="PassException">The byte count does not match the shape (<see cref="PassErrorCodes.CalibrationDataInvalid"/>).</exception>
    public static CalibrationDataSet Parse(Stream stream, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), shape);
    }

    /// <summary>Parses <paramref name="bytes"/> as little-endian float32 values of <paramref name="shape"/>.</summary>
    /// <exception cref="PassException">The byte count does not match the shape (<see cref="PassErrorCodes.CalibrationDataInvalid"/>).</exception>
    public static CalibrationDataSet Parse(ReadOnlySpan<byte> bytes, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0 || (d > 0 && count > int.MaxValue / d))
            {
                throw new PassException(PassErrorCodes.CalibrationDataInvalid,
                    $"Calibration data shape [{string.Join(",", shape)}] is negative or too large for one data set.");
            }

            count *= d;
        }

        if (bytes.Length != count * 4)
        {
            throw new PassException(PassErrorCodes.CalibrationDataInvalid,
                $"Calibration data has {bytes.Length} bytes but shape [{string.Join(",", shape)}] of float32 needs {count * 4}. Check the declared shape.");
        }

        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
        }

        return new CalibrationDataSet(values, shape);
    }
}

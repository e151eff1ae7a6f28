// Only little-endian float32 in C order is accepted here: that is what calibration feeds to the
// model unchanged; converting other dtypes silently would hide a wrong export. The header itself
// is read by NpyHeader (shared with the .npz reader, which takes every dtype a model input has).

using Optimizer.Passes;
using Optimizer.Passes.Calibration;

namespace Optimizer.Engine.DataFiles;

/// <summary>Parses <c>.npy</c> bytes (format versions 1, 2 and 3) holding little-endian float32 in C order.</summary>
public static class NpyParser
{
    private const string Subject = "Calibration .npy data";

    /// <summary>The largest header accepted (<see cref="NpyHeader.MaxHeaderBytes"/>).</summary>
    public const int MaxHeaderBytes = NpyHeader.MaxHeaderBytes;

    /// <summary>
    /// Parses the stream: the header is read and checked first, then the values go straight into
    /// their array (no copy of the whole file). A stream that cannot seek is buffered first.
    /// </summary>
    /// <exception cref="PassException">Malformed (<see cref="PassErrorCodes.CalibrationDataInvalid"/>) or unsupported (<see cref="PassErrorCodes.CalibrationDataNotSupported"/>) data.</exception>
    public static CalibrationDataSet Parse(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            buffer.Position = 0;
            stream = buffer;
        }

        var header = NpyHeader.Read(stream, stream.Length - stream.Position, Subject);
        return RawFloat32Parser.Parse(stream, Float32Shape(header));
    }

    /// <summary>Parses <c>.npy</c> bytes.</summary>
    /// <exception cref="PassException">Malformed (<see cref="PassErrorCodes.CalibrationDataInvalid"/>) or unsupported (<see cref="PassErrorCodes.CalibrationDataNotSupported"/>) data.</exception>
    public static CalibrationDataSet Parse(ReadOnlySpan<byte> bytes)
    {
        var header = NpyHeader.Parse(bytes, Subject);
        return RawFloat32Parser.Parse(bytes[header.DataStart..], Float32Shape(header));
    }

    /// <summary>The shape of a float32, C-order array with a samples dimension; anything else is refused.</summary>
    private static long[] Float32Shape(NpyHeader header)
    {
        if (header.Descr is not ("<f4" or "float32"))
        {
            throw new PassException(PassErrorCodes.CalibrationDataNotSupported,
                $"Calibration .npy data has dtype '{header.Descr}'; only little-endian float32 ('<f4') is supported. Save it with array.astype('<f4').");
        }

        if (header.FortranOrder)
        {
            throw new PassException(PassErrorCodes.CalibrationDataNotSupported,
                "Calibration .npy data is in Fortran order; only C order is supported. Save numpy.ascontiguousarray(array).");
        }

        if (header.Shape.Length == 0)
        {
            throw NpyHeader.Invalid(Subject, "is a 0-d scalar; calibration data needs a samples dimension");
        }

        return header.Shape;
    }
}

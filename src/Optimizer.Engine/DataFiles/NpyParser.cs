// NumPy .npy format: magic "\x93NUMPY", major/minor version, header length (2 bytes in v1,
// 4 in v2/v3), then an ASCII (v1/v2) or UTF-8 (v3) Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (1347, 64), }, padded to 16/64 bytes.
// Only little-endian float32 in C order is accepted: that is what calibration feeds to the
// model unchanged; converting other dtypes silently would hide a wrong export.

using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;

namespace Optimizer.Engine.DataFiles;

/// <summary>Parses <c>.npy</c> bytes (format versions 1, 2 and 3) holding little-endian float32 in C order.</summary>
public static partial class NpyParser
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The largest header accepted. NumPy itself refuses headers over 10 000 bytes when loading; a
    /// hostile file must not make us allocate gigabytes for one.</summary>
    public const int MaxHeaderBytes = 1 << 16;

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

        Span<byte> prefix = stackalloc byte[12];
        var available = (int)Math.Min(12, stream.Length - stream.Position);
        stream.ReadExactly(prefix[..available]);
        var (headerLength, headerStart) = ReadPrefix(prefix[..available], stream.Length);
        stream.Position += headerStart - available;
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var shape = ParseHeader((prefix[6] == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header));
        return RawFloat32Parser.Parse(stream, shape);
    }

    /// <summary>Parses <c>.npy</c> bytes.</summary>
    /// <exception cref="PassException">Malformed (<see cref="PassErrorCodes.CalibrationDataInvalid"/>) or unsupported (<see cref="PassErrorCodes.CalibrationDataNotSupported"/>) data.</exception>
    public static CalibrationDataSet Parse(ReadOnlySpan<byte> bytes)
    {
        var (headerLength, headerStart) = ReadPrefix(bytes[..Math.Min(12, bytes.Length)], bytes.Length);
        var encoding = bytes[6] == 3 ? Encoding.UTF8 : Encoding.Latin1;
        var shape = ParseHeader(encoding.GetString(bytes.Slice(headerStart, headerLength)));
        return RawFloat32Parser.Parse(bytes[(headerStart + headerLength)..], shape);
    }

    /// <summary>Checks the magic and version and returns the header's length and start, which fit in <paramref name="fileLength"/>.</summary>
    private static (int Length, int Start) ReadPrefix(ReadOnlySpan<byte> prefix, long fileLength)
    {
        if (prefix.Length < 10 || !prefix[..6].SequenceEqual(Magic))
        {
            throw Invalid("does not start with the .npy magic \\x93NUMPY; save it with numpy.save");
        }

        var major = prefix[6];
        var (headerLength, headerStart) = major switch
        {
            1 => ((long)BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]), 10),
            2 or 3 when prefix.Length >= 12 => ((long)BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]), 12),
            2 or 3 => throw Invalid("ends inside its header"),
            _ => throw Invalid($"has format version {major}.{prefix[7]}; versions 1, 2 and 3 are supported"),
        };

        if (headerLength > MaxHeaderBytes)
        {
            throw Invalid($"declares a {headerLength}-byte header; .npy headers are at most {MaxHeaderBytes} bytes here (NumPy writes a few hundred)");
        }

        if (headerStart + headerLength > fileLength)
        {
            throw Invalid($"declares a {headerLength}-byte header but the file has {fileLength} bytes");
        }

        return ((int)headerLength, headerStart);
    }

    private static long[] ParseHeader(string header)
    {
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw Invalid($"has a header without 'descr', 'fortran_order' and 'shape' ({header.Trim()})");
        }

        if (descr.Groups[1].Value is not ("<f4" or "float32"))
        {
            throw new PassException(PassErrorCodes.CalibrationDataNotSupported,
                $"Calibration .npy data has dtype '{descr.Groups[1].Value}'; only little-endian float32 ('<f4') is supported. Save it with array.astype('<f4').");
        }

        if (fortran.Groups[1].Value == "True")
        {
            throw new PassException(PassErrorCodes.CalibrationDataNotSupported,
                "Calibration .npy data is in Fortran order; only C order is supported. Save numpy.ascontiguousarray(array).");
        }

        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (dims.Length == 0)
        {
            throw Invalid("is a 0-d scalar; calibration data needs a samples dimension");
        }

        return dims.Select(d => long.TryParse(d.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
            : throw Invalid($"has a shape entry '{d}' that is not a non-negative integer")).ToArray();
    }

    private static PassException Invalid(string problem) =>
        new(PassErrorCodes.CalibrationDataInvalid, $"Calibration .npy data {problem}.");

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}

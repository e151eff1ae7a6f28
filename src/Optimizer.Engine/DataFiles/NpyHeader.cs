// NumPy .npy format: magic "\x93NUMPY", major/minor version, header length (2 bytes in v1,
// 4 in v2/v3), then an ASCII (v1/v2) or UTF-8 (v3) Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (1347, 64), }, padded to 16/64 bytes.
// This file reads only that header; what a caller accepts (dtype, order, rank) is the caller's.

using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Optimizer.Passes;

namespace Optimizer.Engine.DataFiles;

/// <summary>The header of one <c>.npy</c> (format versions 1, 2 and 3): dtype, order, shape and where the values start.</summary>
/// <param name="Descr">NumPy's dtype string as written, e.g. <c>&lt;f4</c>, <c>|b1</c>, <c>|O</c>.</param>
/// <param name="FortranOrder">Whether the values are in Fortran (column-major) order.</param>
/// <param name="Shape">The dimensions; empty for a 0-d array. Each is a non-negative integer.</param>
/// <param name="DataStart">The offset of the first value byte from the start of the <c>.npy</c>.</param>
internal sealed partial record NpyHeader(string Descr, bool FortranOrder, long[] Shape, int DataStart)
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private const int PrefixV1 = 10;
    private const int PrefixV2 = 12;

    /// <summary>The largest header accepted. NumPy itself refuses headers over 10 000 bytes when loading; a
    /// hostile file must not make us allocate gigabytes for one.</summary>
    public const int MaxHeaderBytes = 1 << 16;

    /// <summary>
    /// Reads the header from <paramref name="stream"/>, leaving it at the first value byte. Reads only
    /// forward (a zip member's stream cannot seek); <paramref name="length"/> is the <c>.npy</c>'s size,
    /// checked against the declared header length before the header is read.
    /// </summary>
    /// <param name="subject">What the bytes are, starting the messages, e.g. "Calibration .npy data".</param>
    /// <exception cref="PassException">A malformed prefix or header (<see cref="PassErrorCodes.CalibrationDataInvalid"/>).</exception>
    public static NpyHeader Read(Stream stream, long length, string subject)
    {
        Span<byte> prefix = stackalloc byte[PrefixV2];
        var available = (int)Math.Min(PrefixV1, length);
        stream.ReadExactly(prefix[..available]);
        if (available == PrefixV1 && prefix[6] is 2 or 3 && length >= PrefixV2)
        {
            stream.ReadExactly(prefix[PrefixV1..]);
            available = PrefixV2;
        }

        var (headerLength, headerStart) = ReadPrefix(prefix[..available], length, subject);
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        return ParseDict(Decode(prefix[6], header), headerStart + headerLength, subject);
    }

    /// <summary>Parses the header at the start of <paramref name="bytes"/>, a whole <c>.npy</c>.</summary>
    /// <exception cref="PassException">A malformed prefix or header (<see cref="PassErrorCodes.CalibrationDataInvalid"/>).</exception>
    public static NpyHeader Parse(ReadOnlySpan<byte> bytes, string subject)
    {
        var (headerLength, headerStart) = ReadPrefix(bytes[..Math.Min(PrefixV2, bytes.Length)], bytes.Length, subject);
        return ParseDict(Decode(bytes[6], bytes.Slice(headerStart, headerLength)), headerStart + headerLength, subject);
    }

    /// <summary>The problem as the malformed-data error every .npy reader reports.</summary>
    public static PassException Invalid(string subject, string problem) =>
        new(PassErrorCodes.CalibrationDataInvalid, $"{subject} {problem}.");

    private static string Decode(byte major, ReadOnlySpan<byte> header) =>
        (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header);

    /// <summary>Checks the magic and version and returns the header's length and start, which fit in <paramref name="fileLength"/>.</summary>
    private static (int Length, int Start) ReadPrefix(ReadOnlySpan<byte> prefix, long fileLength, string subject)
    {
        if (prefix.Length < PrefixV1 || !prefix[..6].SequenceEqual(Magic))
        {
            throw Invalid(subject, "does not start with the .npy magic \\x93NUMPY; save it with numpy.save");
        }

        var major = prefix[6];
        var (headerLength, headerStart) = major switch
        {
            1 => ((long)BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]), PrefixV1),
            2 or 3 when prefix.Length >= PrefixV2 => ((long)BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]), PrefixV2),
            2 or 3 => throw Invalid(subject, "ends inside its header"),
            _ => throw Invalid(subject, $"has format version {major}.{prefix[7]}; versions 1, 2 and 3 are supported"),
        };

        if (headerLength > MaxHeaderBytes)
        {
            throw Invalid(subject, $"declares a {headerLength}-byte header; .npy headers are at most {MaxHeaderBytes} bytes here (NumPy writes a few hundred)");
        }

        if (headerStart + headerLength > fileLength)
        {
            throw Invalid(subject, $"declares a {headerLength}-byte header but the file has {fileLength} bytes");
        }

        return ((int)headerLength, headerStart);
    }

    private static NpyHeader ParseDict(string header, int dataStart, string subject)
    {
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw Invalid(subject, $"has a header without 'descr', 'fortran_order' and 'shape' ({header.Trim()})");
        }

        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
                : throw Invalid(subject, $"has a shape entry '{d}' that is not a non-negative integer")).ToArray();
        return new NpyHeader(descr.Groups[1].Value, fortran.Groups[1].Value == "True", dims, dataStart);
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}

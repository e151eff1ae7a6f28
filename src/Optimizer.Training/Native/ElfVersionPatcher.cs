using System.Buffers.Binary;
using System.Text;

namespace Optimizer.Training.Native;

/// <summary>
/// Marks symbol-version requirements of an ELF64 little-endian shared library weak
/// (<c>VER_FLG_WEAK</c> in <c>.gnu.version_r</c>), so the dynamic loader no longer refuses the
/// library when the system's library lacks that version. Only versions whose every symbol is a
/// known link marker (never called, never relocated) are touched: marking a version that real
/// functions use would trade a clear load error for a crash later.
/// </summary>
internal static class ElfVersionPatcher
{
    private const uint ShtDynsym = 11;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>
    /// Symbols a version may hold and still be marked weak. <c>std::ios_base_library_init()</c>
    /// (GLIBCXX_3.4.32, GCC 13) is referenced by <c>&lt;iostream&gt;</c> only to pull in the stream
    /// initialiser of a new libstdc++; an older libstdc++ initialises the streams itself.
    /// </summary>
    public static readonly IReadOnlySet<string> LinkMarkers = new HashSet<string>(StringComparer.Ordinal) { "_ZSt21ios_base_library_initv" };

    /// <summary>What <see cref="MarkWeak"/> found for one requested version.</summary>
    public sealed record VersionRequirement(string File, string Version, bool WasWeak, IReadOnlyList<string> Symbols);

    /// <summary>The version requirements of <paramref name="elf"/> with the dynamic symbols bound to each.</summary>
    public static IReadOnlyList<VersionRequirement> Read(byte[] elf) => Scan(elf, null);

    /// <summary>
    /// Marks the requirements on <paramref name="versions"/> weak in <paramref name="elf"/> (in place).
    /// </summary>
    /// <exception cref="InvalidDataException">Not an ELF64 little-endian file, a version is not required by it, or a version binds symbols other than <see cref="LinkMarkers"/>.</exception>
    public static void MarkWeak(byte[] elf, IReadOnlyCollection<string> versions)
    {
        var found = Scan(elf, null);
        foreach (var version in versions)
        {
            var requirement = found.FirstOrDefault(r => r.Version == version)
                ?? throw new InvalidDataException($"the library does not require version {version}");
            var unsafeSymbols = requirement.Symbols.Where(s => !LinkMarkers.Contains(s)).ToArray();
            if (unsafeSymbols.Length > 0)
                throw new InvalidDataException($"version {version} binds {string.Join(", ", unsafeSymbols)}, which the library may call; it cannot be made optional");
        }

        Scan(elf, new HashSet<string>(versions, StringComparer.Ordinal));
    }

    private static IReadOnlyList<VersionRequirement> Scan(byte[] elf, IReadOnlySet<string>? markWeak)
    {
        var span = elf.AsSpan();
        if (elf.Length < 64 || span[0] != 0x7f || span[1] != (byte)'E' || span[2] != (byte)'L' || span[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (span[4] != 2 || span[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");

        var sectionOffset = checked((int)U64(span, 0x28));
        var sectionSize = U16(span, 0x3A);
        var sectionCount = U16(span, 0x3C);
        var sections = new (uint Type, int Offset, int Size, int Link, uint Info)[sectionCount];
        for (var i = 0; i < sectionCount; i++)
        {
            var header = span.Slice(sectionOffset + i * sectionSize, sectionSize);
            sections[i] = (U32(header, 4), checked((int)U64(header, 0x18)), checked((int)U64(header, 0x20)), (int)U32(header, 0x28), U32(header, 0x2C));
        }

        var verneed = sections.FirstOrDefault(s => s.Type == ShtGnuVerneed);
        if (verneed.Type == 0)
            return [];
        var dynsym = sections.FirstOrDefault(s => s.Type == ShtDynsym);
        var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        var verneedStrings = sections[verneed.Link].Offset;
        var symbolStrings = dynsym.Type == 0 ? 0 : sections[dynsym.Link].Offset;

        // Version index (vna_other) → symbols bound to it, from .gnu.version alongside .dynsym.
        var symbolsByIndex = new Dictionary<int, List<string>>();
        if (dynsym.Type != 0 && versym.Type != 0)
        {
            var symbolCount = dynsym.Size / 24;
            for (var i = 1; i < symbolCount; i++)
            {
                var index = U16(span, versym.Offset + i * 2) & 0x7fff;
                if (index < 2) continue;
                var name = CString(span, symbolStrings + (int)U32(span, dynsym.Offset + i * 24));
                if (!symbolsByIndex.TryGetValue(index, out var list)) symbolsByIndex[index] = list = [];
                list.Add(name);
            }
        }

        var requirements = new List<VersionRequirement>();
        var entry = verneed.Offset;
        for (var n = 0; n < verneed.Info; n++)
        {
            var file = CString(span, verneedStrings + (int)U32(span, entry + 4));
            var auxCount = U16(span, entry + 2);
            var aux = entry + (int)U32(span, entry + 8);
            for (var a = 0; a < auxCount; a++)
            {
                var flags = U16(span, aux + 4);
                var index = U16(span, aux + 6);
                var version = CString(span, verneedStrings + (int)U32(span, aux + 8));
                requirements.Add(new VersionRequirement(file, version, (flags & VerFlgWeak) != 0,
                    symbolsByIndex.TryGetValue(index, out var symbols) ? symbols : []));
                if (markWeak?.Contains(version) == true)
                    BinaryPrimitives.WriteUInt16LittleEndian(span[(aux + 4)..], (ushort)(flags | VerFlgWeak));
                aux += (int)U32(span, aux + 12);
            }
            entry += (int)U32(span, entry + 12);
        }
        return requirements;
    }

    private static ushort U16(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);
    private static uint U32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);
    private static ulong U64(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);

    private static string CString(ReadOnlySpan<byte> s, int at)
    {
        var end = s[at..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(s.Slice(at, end < 0 ? s.Length - at : end));
    }
}

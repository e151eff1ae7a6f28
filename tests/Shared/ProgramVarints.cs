namespace Optimizer.Tests.Shared;

/// <summary>The kernel program's varints (format 5), for tests that build or find hostile entries in stored programs.</summary>
public static class ProgramVarints
{
    /// <summary>Unsigned LEB128.</summary>
    public static byte[] Of(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    /// <summary>Zigzag, then LEB128.</summary>
    public static byte[] Signed(long value) => Of((ulong)((value << 1) ^ (value >> 63)));
}

using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace Optimizer.Build.Tasks.Caching;

/// <summary>SHA-256 as lowercase hex.</summary>
internal static class Sha256Hex
{
    public static string OfFile(string path)
    {
        using var sha = SHA256.Create();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return ToHex(sha.ComputeHash(stream));
    }

    public static string OfText(string text)
    {
        using var sha = SHA256.Create();
        return ToHex(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }

    private static string ToHex(byte[] bytes)
    {
        var hex = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
            hex.Append(b.ToString("x2"));
        return hex.ToString();
    }
}

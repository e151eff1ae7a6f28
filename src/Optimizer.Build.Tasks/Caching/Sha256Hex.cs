using System.Security.Cryptography;
using System.Text;
using Optimizer.Onnx.Files;

namespace Optimizer.Build.Tasks.Caching;

/// <summary>SHA-256 as lowercase hex.</summary>
internal static class Sha256Hex
{
    /// <summary>Hashes a file the build trusts (the engine's own assemblies).</summary>
    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return OfStream(stream);
    }

    /// <summary>Hashes a declared model or data file, opened through <see cref="UntrustedFile"/>.</summary>
    /// <exception cref="UntrustedFileException">The file is not a regular file the build may read.</exception>
    public static string OfUntrustedFile(string path, long maxBytes)
    {
        using var stream = UntrustedFile.OpenRead(path, maxBytes);
        return OfStream(stream);
    }

    public static string OfText(string text)
    {
        using var sha = SHA256.Create();
        return ToHex(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }

    private static string OfStream(Stream stream)
    {
        using var sha = SHA256.Create();
        return ToHex(sha.ComputeHash(stream));
    }

    private static string ToHex(byte[] bytes)
    {
        var hex = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
            hex.Append(b.ToString("x2"));
        return hex.ToString();
    }
}

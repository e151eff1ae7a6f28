using System;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Optimizer.Onnx.Files;

/// <summary>
/// Opens files that come from untrusted declarations (models, external data, calibration and
/// validation data) so that reading them can neither hang nor read something that is not a file:
/// the file is opened non-blocking (a FIFO cannot stall <c>open()</c>), and the opened handle,
/// not the path, must be a regular file with one hard link and at most the caller's size cap.
/// Paths under <c>/proc</c>, <c>/sys</c> and <c>/dev</c> are refused before opening.
/// </summary>
/// <remarks>
/// netstandard2.0-compatible on purpose: the MSBuild task links this file (it hashes the model
/// before the engine runs), so both sides apply the same rules.
/// </remarks>
public static class UntrustedFile
{
    private static readonly string[] SystemRoots = ["/proc/", "/sys/", "/dev/"];

    /// <summary>Opens <paramref name="path"/> for reading after the checks above.</summary>
    /// <param name="path">The file, absolute or relative to the current directory.</param>
    /// <param name="maxBytes">The largest size accepted; checked on the handle before any byte is read.</param>
    /// <exception cref="UntrustedFileException">The file is missing, not a regular file, hard-linked, a system path or too large.</exception>
    public static FileStream OpenRead(string path, long maxBytes)
    {
        string fullPath = Path.GetFullPath(path);
        RefuseSystemPath(fullPath, fullPath);
        string resolved = ResolveFinalPath(fullPath);
        RefuseSystemPath(resolved, fullPath);
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            try
            {
                return LinuxOpen(fullPath, maxBytes);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                // A C library without statx (glibc before 2.28): the path checks above and the portable checks below still apply.
            }
        }

        return PortableOpen(fullPath, maxBytes);
    }

    /// <summary>Reads the whole file after the checks of <see cref="OpenRead"/>.</summary>
    /// <exception cref="UntrustedFileException">As for <see cref="OpenRead"/>, or the file changed size while read.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        using FileStream stream = OpenRead(path, maxBytes);
        long length = stream.Length;
        var bytes = new byte[length];
        int read = 0;
        while (read < bytes.Length)
        {
            int n = stream.Read(bytes, read, bytes.Length - read);
            if (n == 0)
            {
                throw new UntrustedFileException(UntrustedFileProblem.Unreadable, Path.GetFullPath(path),
                    "the file became shorter while it was read");
            }

            read += n;
        }

        return bytes;
    }

    /// <summary>True when <paramref name="fullPath"/> (after symbolic links) is under /proc, /sys or /dev.</summary>
    public static bool IsSystemPath(string fullPath)
    {
        string normalized = fullPath.Replace('\\', '/');
        foreach (string root in SystemRoots)
        {
            if (normalized.StartsWith(root, StringComparison.Ordinal) || normalized + "/" == root)
            {
                return true;
            }
        }

        return false;
    }

    private static void RefuseSystemPath(string candidate, string fullPath)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || !IsSystemPath(candidate))
        {
            return;
        }

        throw new UntrustedFileException(UntrustedFileProblem.SystemPath, fullPath,
            $"'{candidate}' is a device or kernel file, not a model or data file");
    }

    // Follows symbolic links one hop at a time (bounded), so '/tmp/x -> /proc/self/environ' is caught.
    private static string ResolveFinalPath(string fullPath)
    {
        string current = fullPath;
        for (int hop = 0; hop < 40; hop++)
        {
            string? target = ReadLink(current);
            if (target is null)
            {
                return current;
            }

            string directory = Path.GetDirectoryName(current) ?? "/";
            current = Path.GetFullPath(Path.Combine(directory, target));
        }

        throw new UntrustedFileException(UntrustedFileProblem.Unreadable, fullPath, "too many symbolic links");
    }

    private static string? ReadLink(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return null;
        }

        var buffer = new byte[4096];
        IntPtr n = Native.readlink(Native.PathBytes(path), buffer, (IntPtr)buffer.Length);
        long count = n.ToInt64();
        return count <= 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, (int)Math.Min(count, buffer.Length));
    }

    private static FileStream LinuxOpen(string fullPath, long maxBytes)
    {
        int fd = Native.open(Native.PathBytes(fullPath), Native.O_RDONLY | Native.O_NONBLOCK | Native.O_CLOEXEC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastWin32Error();
            throw new UntrustedFileException(errno == Native.ENOENT ? UntrustedFileProblem.NotFound : UntrustedFileProblem.Unreadable,
                fullPath, errno == Native.ENOENT ? "the file does not exist" : $"it cannot be opened (errno {errno})");
        }

        var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        try
        {
            var status = new byte[256];
            if (Native.statx(fd, Native.PathBytes(string.Empty), Native.AT_EMPTY_PATH, Native.STATX_BASIC_STATS, status) != 0)
            {
                throw new UntrustedFileException(UntrustedFileProblem.Unreadable, fullPath,
                    $"its type cannot be read (errno {Marshal.GetLastWin32Error()})");
            }

            // struct statx: stx_nlink at 16 (u32), stx_mode at 28 (u16), stx_size at 40 (u64); the layout is the same on every architecture.
            uint links = BitConverter.ToUInt32(status, 16);
            int mode = BitConverter.ToUInt16(status, 28);
            long size = BitConverter.ToInt64(status, 40);
            CheckStatus(fullPath, mode & Native.S_IFMT, links, size, maxBytes);
            return new FileStream(handle, FileAccess.Read, 1 << 16);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void CheckStatus(string fullPath, int type, uint links, long size, long maxBytes)
    {
        if (type != Native.S_IFREG)
        {
            throw new UntrustedFileException(UntrustedFileProblem.NotRegular, fullPath, $"it is {Describe(type)}, not a regular file");
        }

        if (links > 1)
        {
            throw new UntrustedFileException(UntrustedFileProblem.HardLinked, fullPath,
                $"it has {links} hard links, so it may be a file from outside the folder it appears in; copy it instead of linking it");
        }

        if (size > maxBytes)
        {
            throw new UntrustedFileException(UntrustedFileProblem.TooLarge, fullPath, $"it is {size} bytes, more than the limit of {maxBytes}");
        }
    }

    private static string Describe(int type) => type switch
    {
        Native.S_IFDIR => "a folder",
        Native.S_IFIFO => "a named pipe (FIFO)",
        Native.S_IFCHR => "a character device",
        Native.S_IFBLK => "a block device",
        Native.S_IFSOCK => "a socket",
        Native.S_IFLNK => "a symbolic link",
        _ => "a special file",
    };

    // Elsewhere (Windows, macOS) the path checks above and the framework's own refusal of devices apply.
    private static FileStream PortableOpen(string fullPath, long maxBytes)
    {
        if (Directory.Exists(fullPath))
        {
            throw new UntrustedFileException(UntrustedFileProblem.NotRegular, fullPath, "it is a folder, not a regular file");
        }

        if (!File.Exists(fullPath))
        {
            throw new UntrustedFileException(UntrustedFileProblem.NotFound, fullPath, "the file does not exist");
        }

        FileStream stream;
        try
        {
            stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UntrustedFileException(UntrustedFileProblem.Unreadable, fullPath, e.Message);
        }

        if (!stream.CanSeek || stream.Length > maxBytes)
        {
            long length = stream.CanSeek ? stream.Length : -1;
            stream.Dispose();
            throw length < 0
                ? new UntrustedFileException(UntrustedFileProblem.NotRegular, fullPath, "it is not a regular file")
                : new UntrustedFileException(UntrustedFileProblem.TooLarge, fullPath, $"it is {length} bytes, more than the limit of {maxBytes}");
        }

        return stream;
    }

    private static class Native
    {
        public const int O_RDONLY = 0;
        public const int O_NONBLOCK = 0x800;
        public const int O_CLOEXEC = 0x80000;
        public const int AT_EMPTY_PATH = 0x1000;
        public const uint STATX_BASIC_STATS = 0x7ff;
        public const int ENOENT = 2;
        public const int S_IFMT = 0xF000;
        public const int S_IFSOCK = 0xC000;
        public const int S_IFLNK = 0xA000;
        public const int S_IFREG = 0x8000;
        public const int S_IFBLK = 0x6000;
        public const int S_IFDIR = 0x4000;
        public const int S_IFCHR = 0x2000;
        public const int S_IFIFO = 0x1000;

        // Paths go to libc as NUL-terminated UTF-8 bytes: UnmanagedType.LPUTF8Str is not in
        // netstandard2.0, which the MSBuild task that links this file targets.
        public static byte[] PathBytes(string path) => System.Text.Encoding.UTF8.GetBytes(path + "\0");

        [DllImport("libc", SetLastError = true)]
        public static extern int open(byte[] path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);

        [DllImport("libc", SetLastError = true)]
        public static extern IntPtr readlink(byte[] path, byte[] buffer, IntPtr size);
    }
}

/// <summary>Why <see cref="UntrustedFile"/> refused a file.</summary>
public enum UntrustedFileProblem
{
    /// <summary>The file does not exist.</summary>
    NotFound,

    /// <summary>It exists but could not be opened or read.</summary>
    Unreadable,

    /// <summary>A FIFO, device, socket or folder.</summary>
    NotRegular,

    /// <summary>Under /proc, /sys or /dev (directly or through a symbolic link).</summary>
    SystemPath,

    /// <summary>A regular file with more than one hard link.</summary>
    HardLinked,

    /// <summary>Larger than the caller's cap.</summary>
    TooLarge,
}

/// <summary>A file refused by <see cref="UntrustedFile"/>; callers turn it into their own coded diagnostic.</summary>
public sealed class UntrustedFileException : IOException
{
    /// <summary>Creates the exception.</summary>
    public UntrustedFileException(UntrustedFileProblem problem, string path, string reason)
        : base($"'{path}' cannot be used: {reason}.")
    {
        Problem = problem;
        FilePath = path;
        Reason = reason;
    }

    /// <summary>Why the file was refused.</summary>
    public UntrustedFileProblem Problem { get; }

    /// <summary>The full path of the refused file.</summary>
    public string FilePath { get; }

    /// <summary>The reason in words, without the path (e.g. "it is a named pipe (FIFO), not a regular file").</summary>
    public string Reason { get; }
}

using System.Runtime.InteropServices;

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// The native memory a program's weights are built in at load time. Large blocks ask Linux for
/// transparent huge pages (2 MB-aligned, <c>madvise(MADV_HUGEPAGE)</c>): filling 90 MB of fresh
/// 4 KB pages costs tens of thousands of page faults, which on a VM took longer than packing the weights.
/// A refusal is harmless: the block is used with normal pages.
/// </summary>
internal static unsafe class WeightMemory
{
    private const int HugePage = 2 << 20;
    private const int MadviseHugePage = 14;

    /// <summary>64-byte (or, when large, 2 MB) aligned memory of <paramref name="length"/> bytes; free with <see cref="NativeMemory.AlignedFree"/>.</summary>
    public static void* Allocate(long length)
    {
        var large = length >= 2 * HugePage && OperatingSystem.IsLinux();
        var memory = NativeMemory.AlignedAlloc((nuint)Math.Max(1, length), (nuint)(large ? HugePage : KernelProgram.WeightAlignment));
        if (large)
        {
            try
            {
                _ = madvise((nint)memory, (nuint)length, MadviseHugePage);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc/musl: normal pages.
            }
        }

        return memory;
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern int madvise(nint address, nuint length, int advice);
}

using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Runtime.NativeAot;

/// <summary>
/// Whether this machine runs an instruction-set level: the CPU's feature bits (CPUID, as the
/// NativeAOT start-up check reads them) and the operating system's word that it saves the wider
/// registers (only the OS can say: <c>/proc/cpuinfo</c> lists <c>avx</c>/<c>avx512f</c> only when
/// the kernel enabled their state; Windows answers <c>IsProcessorFeaturePresent</c>).
/// </summary>
internal static partial class CpuLevelProbe
{
    private const int WindowsAvx2Instructions = 40;    // PF_AVX2_INSTRUCTIONS_AVAILABLE
    private const int WindowsAvx512FInstructions = 41; // PF_AVX512F_INSTRUCTIONS_AVAILABLE

    /// <summary>The best level this machine runs among <paramref name="tiers"/>, or null (then the baseline binary runs).</summary>
    public static AotInstructionSetTier? Best(IEnumerable<AotInstructionSetTier> tiers)
    {
        if (!X86Base.IsSupported)
        {
            return null;
        }

        var linuxFlags = OperatingSystem.IsLinux() ? LinuxFlags() : null;
        return tiers.FirstOrDefault(t => t.Cpuid.All(Has) && OsSaves(t.OsEnabled, linuxFlags));
    }

    internal static bool Has(CpuidBit bit)
    {
        var (maxLeaf, _, _, _) = X86Base.CpuId(bit.Leaf < 0 ? unchecked((int)0x80000000) : 0, 0);
        if ((uint)maxLeaf < (uint)bit.Leaf)
        {
            return false;
        }

        var (_, ebx, ecx, _) = X86Base.CpuId(bit.Leaf, bit.SubLeaf);
        var register = bit.Register == CpuidRegister.Ebx ? ebx : ecx;
        return (register >> bit.Bit & 1) != 0;
    }

    private static bool OsSaves(VectorState state, HashSet<string>? linuxFlags)
    {
        if (OperatingSystem.IsWindows())
        {
            return IsProcessorFeaturePresent(WindowsAvx2Instructions)
                && (state == VectorState.Ymm || IsProcessorFeaturePresent(WindowsAvx512FInstructions));
        }

        return linuxFlags is not null && linuxFlags.Contains(state == VectorState.Zmm ? "avx512f" : "avx");
    }

    /// <summary>The first processor's flags in <c>/proc/cpuinfo</c>, or null when it cannot be read.</summary>
    internal static HashSet<string>? LinuxFlags()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("flags", StringComparison.Ordinal) && line.IndexOf(':') is var colon and > 0)
                {
                    return [.. line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    [LibraryImport("kernel32.dll")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool IsProcessorFeaturePresent(int feature);
}

using System.Globalization;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// Peak resident memory of this process while something runs, on Linux: writing 5 to
/// <c>/proc/self/clear_refs</c> resets the high-water mark (VmHWM) to the current resident size,
/// so VmHWM afterwards minus VmRSS before is the peak that piece of work added (ONNX Runtime's
/// native allocations included, which the GC's figures do not see). Elsewhere: not measured.
/// </summary>
internal sealed class PeakMemory
{
    private const string Status = "/proc/self/status";
    private readonly long? _before;

    private PeakMemory(long? before) => _before = before;

    /// <summary>Starts a measurement (resets the high-water mark where the OS allows it).</summary>
    public static PeakMemory Start()
    {
        if (!OperatingSystem.IsLinux())
            return new PeakMemory(null);
        try
        {
            // Open, not create: procfs files cannot be truncated.
            using (var clear = new FileStream("/proc/self/clear_refs", FileMode.Open, FileAccess.Write))
                clear.Write("5"u8);
            return new PeakMemory(Read("VmRSS"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new PeakMemory(null);
        }
    }

    /// <summary>Bytes the peak rose by since <see cref="Start"/>; null when not measurable.</summary>
    public long? Stop()
    {
        if (_before is not { } before || Read("VmHWM") is not { } peak)
            return null;
        return Math.Max(0, peak - before);
    }

    private static long? Read(string field)
    {
        try
        {
            foreach (var line in File.ReadLines(Status))
            {
                if (!line.StartsWith(field + ":", StringComparison.Ordinal))
                    continue;
                var parts = line[(field.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024; // kB
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return null;
    }
}

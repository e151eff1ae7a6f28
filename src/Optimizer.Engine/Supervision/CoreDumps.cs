using System.Runtime.InteropServices;

namespace Optimizer.Engine.Supervision;

/// <summary>
/// A supervised engine (the MSBuild task's child, <c>onnx-opt</c>'s worker) that dies by a signal in
/// ONNX Runtime on a hostile model is reported by its supervisor (<see cref="EngineCrash"/>); a core
/// file would only be left in the user's project folder, possibly gigabytes. So the process turns
/// core dumps off for itself before it touches the model.
/// </summary>
internal static class CoreDumps
{
    // RLIMIT_CORE is 4 on Linux and macOS; struct rlimit is two 64-bit counts on both (64-bit processes).
    private const int RlimitCore = 4;

    /// <summary>Sets this process's core-file size limit to 0; a no-op where there is no such limit.</summary>
    public static void Disable()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var none = new RLimit();
        _ = setrlimit(RlimitCore, ref none);
    }

    /// <summary>Disables them when a supervisor asked for stages (<see cref="EngineCrash.StageFileVariable"/> is set).</summary>
    public static void DisableWhenSupervised()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(EngineCrash.StageFileVariable)))
        {
            Disable();
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, ref RLimit limit);
}

using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Optimizer.Build.Tasks.Engine;

/// <summary>
/// Kills a process and every process it started, so nothing the engine spawned outlives a timeout
/// or a cancelled build.
/// </summary>
internal static class ProcessTree
{
    // Process.Kill(bool entireProcessTree) exists on the .NET that runs `dotnet build` but not in
    // netstandard2.0, which this task compiles against (for Visual Studio's MSBuild too).
    private static readonly MethodInfo? KillTree = typeof(Process).GetMethod("Kill", new[] { typeof(bool) });

    public static void Kill(Process process)
    {
        try
        {
            if (KillTree is not null)
            {
                KillTree.Invoke(process, new object[] { true });
            }
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                using var taskkill = Process.Start(new ProcessStartInfo("taskkill", $"/T /F /PID {process.Id}") { UseShellExecute = false, CreateNoWindow = true });
                taskkill?.WaitForExit(10_000);
            }
            else
            {
                process.Kill();
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TargetInvocationException or System.ComponentModel.Win32Exception)
        {
            // It exited on its own meanwhile.
        }
    }
}

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizer.Runtime.NativeAot;

/// <summary>
/// In a NativeAOT app published with instruction-set levels (<c>$(OptimizerAotInstructionSets)</c>),
/// starts the best binary this CPU runs in place of the baseline one, before the app's own code:
/// the compiled kernels then take the same 256/512-bit paths as under the JIT, and older CPUs keep
/// the baseline binary. Nothing happens under the JIT, when no level binary sits beside the app,
/// or when <c>OPTIMIZER_AOT_TIER</c> is set (the started binary gets its level's name there, and
/// <c>OPTIMIZER_AOT_TIER=baseline</c> keeps the baseline binary).
/// </summary>
internal static partial class AotTierLauncher
{
    internal const string TierVariable = "OPTIMIZER_AOT_TIER";

#pragma warning disable CA2255 // A module initializer is the one hook that runs before the app's Main under NativeAOT.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void StartBestTier()
    {
        if (RuntimeFeature.IsDynamicCodeSupported || Environment.GetEnvironmentVariable(TierVariable) is { Length: > 0 }
            || Environment.ProcessPath is not { } baseline)
        {
            return;
        }

        var available = AotInstructionSetTier.BestFirst.Where(t => File.Exists(BinaryFor(baseline, t.Name)));
        if (CpuLevelProbe.Best(available) is not { } tier)
        {
            return;
        }

        var arguments = Environment.GetCommandLineArgs().Skip(1).ToArray();
        if (Run(BinaryFor(baseline, tier.Name), tier.Name, arguments) is { } exitCode)
        {
            Environment.Exit(exitCode);
        }
    }

    /// <summary><c>My.App</c> → <c>My.App.x86-64-v4</c>, <c>App.exe</c> → <c>App.x86-64-v4.exe</c>, beside the baseline (as the build names them).</summary>
    internal static string BinaryFor(string baseline, string tier)
    {
        var extension = baseline.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? ".exe" : "";
        return $"{baseline[..^extension.Length]}.{tier}{extension}";
    }

    /// <summary>Runs the level's binary; its exit code, or null when it could not be started (the baseline goes on).</summary>
    private static int? Run(string binary, string tier, string[] arguments)
    {
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}").Append($"{TierVariable}={tier}").ToArray();
        if (!OperatingSystem.IsWindows())
        {
            // Replaces this process (same id, standard streams, signals); returns only on failure.
            execve(binary, [binary, .. arguments, null], [.. environment, null]);
            return null;
        }

        var start = new ProcessStartInfo(binary) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[TierVariable] = tier;
        using var child = Process.Start(start);
        if (child is null)
        {
            return null;
        }

        child.WaitForExit();
        return child.ExitCode;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int execve(string path, string?[] argv, string?[] envp);
}

using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using TorchSharp;

namespace Optimizer.Training.Native;

/// <summary>
/// Loads libtorch and TorchSharp's native shim (<c>libLibTorchSharp.so</c>) before TorchSharp's first
/// call. TorchSharp 0.107.0's Linux shim was linked against GCC 13's libstdc++ and requires
/// <c>GLIBCXX_3.4.32</c> for one symbol, <c>std::ios_base_library_init</c>, a link marker it never
/// calls; Debian 12 and Ubuntu 22.04 ship GLIBCXX_3.4.30, so the loader refuses the library. When
/// (and only when) loading fails for that reason, a copy of the shim with that version requirement
/// marked weak is written to a cache folder and loaded instead; the NuGet cache is never modified.
/// Set <see cref="DisablePatchVariable"/>=1 to turn the patch off (TorchSharp then loads the way it
/// would without Optimizer.Training). See README.md.
/// </summary>
public static partial class TorchNativeLibrary
{
    /// <summary>Environment variable: <c>1</c> turns the compatibility copy off.</summary>
    public const string DisablePatchVariable = "OPTIMIZER_TORCH_NO_PATCH";

    /// <summary>Environment variable: the folder for the patched copy (default: the user's cache folder).</summary>
    public const string CacheVariable = "OPTIMIZER_TORCH_CACHE";

    /// <summary>Set by Optimizer.Build's targets to $(NuGetPackageRoot); also read by the engine.</summary>
    public const string PackageRootVariable = "OPTIMIZER_NUGET_PACKAGE_ROOT";

    /// <summary>The libtorch version TorchSharp 0.107.0 is built against (build/Packages.props); read
    /// here rather than from <c>torch.__version__</c>, whose first use initialises TorchSharp.</summary>
    private const string LibTorchVersion = "2.10.0";

    private const string ShimName = "LibTorchSharp";
    private const string ShimFile = "libLibTorchSharp.so";
    private static readonly object Gate = new();
    private static IntPtr _shim;
    private static string? _loadedFrom;

    /// <summary>Where the shim was loaded from (the package's file or the patched copy); null before loading or off Linux x64.</summary>
    public static string? LoadedFrom { get { lock (Gate) return _loadedFrom; } }

    /// <summary>
    /// Loads libtorch and the shim (patching a copy when needed) and points TorchSharp's P/Invokes at
    /// it. Idempotent. Off Linux x64 it does nothing: TorchSharp's own loading applies.
    /// </summary>
    /// <exception cref="Optimizer.Passes.PassException">The native libraries are missing or cannot be loaded.</exception>
    public static void EnsureLoaded()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return;
        lock (Gate)
        {
            if (_shim != IntPtr.Zero)
                return;
            var torchSharp = typeof(torch).Assembly;
            var shimPath = Candidates(torchSharp, "torchsharp", PackageVersion(torchSharp)).Select(d => Path.Combine(d, ShimFile)).FirstOrDefault(File.Exists)
                ?? throw TrainingException.Create(TrainingErrorCodes.NativeLibraryMissing,
                    $"TorchSharp's native library {ShimFile} was not found next to TorchSharp.dll or in the NuGet packages folder. Restore the project (dotnet restore) so the TorchSharp package is present.");
            var libtorch = Candidates(torchSharp, "libtorch-cpu-linux-x64", LibTorchVersion).FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")))
                ?? throw TrainingException.Create(TrainingErrorCodes.NativeLibraryMissing,
                    $"libtorch (libtorch_cpu.so) was not found next to TorchSharp.dll or in the NuGet packages folder under libtorch-cpu-linux-x64/{LibTorchVersion}. Reference the libtorch-cpu-linux-x64 package (Optimizer.Training brings it) and restore.");

            // By absolute path and in dependency order: the shim (or its copy elsewhere) then finds
            // them among the loaded libraries by soname.
            foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
                Load(Path.Combine(libtorch, name));

            _shim = LoadShim(shimPath, out _loadedFrom);
            try
            {
                NativeLibrary.SetDllImportResolver(torchSharp, (name, _, _) => name == ShimName ? _shim : IntPtr.Zero);
            }
            catch (InvalidOperationException)
            {
                // Someone else set a resolver; the shim is loaded under its soname, which the default search finds.
            }
        }
    }

    private static IntPtr LoadShim(string path, out string loadedFrom)
    {
        loadedFrom = path;
        string error;
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            error = e.Message;
        }

        var missing = MissingVersion().Matches(error).Select(m => m.Groups[1].Value).Distinct().ToArray();
        if (missing.Length == 0 || Environment.GetEnvironmentVariable(DisablePatchVariable) == "1")
        {
            throw TrainingException.Create(TrainingErrorCodes.NativeLibraryLoadFailed,
                $"TorchSharp's native library could not be loaded: {error}" + (missing.Length > 0 ? $" (the compatibility copy is turned off by {DisablePatchVariable}=1)" : ""));
        }

        loadedFrom = PatchedCopy(path, missing);
        try
        {
            return NativeLibrary.Load(loadedFrom);
        }
        catch (DllNotFoundException e)
        {
            throw TrainingException.Create(TrainingErrorCodes.NativeLibraryLoadFailed,
                $"TorchSharp's native library needs {string.Join(", ", missing)}, which this system's libstdc++ lacks, and the compatibility copy '{loadedFrom}' did not load either: {e.Message}");
        }
    }

    /// <summary>Writes (once) the shim with <paramref name="versions"/> marked weak into the cache folder; returns its path.</summary>
    internal static string PatchedCopy(string original, IReadOnlyCollection<string> versions, string? cacheRoot = null)
    {
        var bytes = File.ReadAllBytes(original);
        var key = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "-" + string.Join("-", versions.Order(StringComparer.Ordinal));
        var target = Path.Combine(cacheRoot ?? CacheRoot(), key, ShimFile);
        if (File.Exists(target))
            return target;
        try
        {
            ElfVersionPatcher.MarkWeak(bytes, versions);
        }
        catch (InvalidDataException e)
        {
            throw TrainingException.Create(TrainingErrorCodes.NativeLibraryLoadFailed,
                $"TorchSharp's native library '{original}' needs {string.Join(", ", versions)}, which this system's libstdc++ lacks, and cannot be patched: {e.Message}. Install a newer libstdc++ (GCC 13 or later).");
        }

        try
        {
            return Write(target, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only home folder: the temporary folder is the next best cache.
            return Write(Path.Combine(Path.GetTempPath(), "optimizer-build-torchsharp-native", key, ShimFile), bytes);
        }
    }

    private static string Write(string target, byte[] bytes)
    {
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{ShimFile}.{Environment.ProcessId}.tmp");
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, target, overwrite: true); // atomic: a concurrent build sees the old or the whole new file
        return target;
    }

    private static string CacheRoot()
    {
        var configured = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(configured))
            return configured;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "optimizer-build", "torchsharp-native");
    }

    /// <summary>Folders that may hold a package's Linux x64 native files: beside TorchSharp.dll (an app's output), then the NuGet packages folders.</summary>
    private static IEnumerable<string> Candidates(Assembly torchSharp, string package, string? version)
    {
        var beside = Path.GetDirectoryName(torchSharp.Location);
        foreach (var folder in new[] { beside, AppContext.BaseDirectory }.Where(f => !string.IsNullOrEmpty(f)).Distinct())
        {
            yield return folder!;
            yield return Path.Combine(folder!, "runtimes", "linux-x64", "native");
        }

        foreach (var root in PackageRoots())
        {
            var packageFolder = Path.Combine(root, package);
            if (!Directory.Exists(packageFolder)) continue;
            var versions = Directory.GetDirectories(packageFolder).Select(Path.GetFileName).OrderByDescending(v => v == version).ThenByDescending(v => v, StringComparer.Ordinal);
            foreach (var v in versions)
                yield return Path.Combine(packageFolder, v!, "runtimes", "linux-x64", "native");
        }
    }

    private static IEnumerable<string> PackageRoots()
    {
        foreach (var variable in new[] { PackageRootVariable, "NUGET_PACKAGES" })
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(value)) yield return value;
        }
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    private static string? PackageVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];

    private static void Load(string path)
    {
        try
        {
            NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            throw TrainingException.Create(TrainingErrorCodes.NativeLibraryLoadFailed, $"libtorch could not be loaded from '{path}': {e.Message}");
        }
    }

    [GeneratedRegex(@"version [`']([A-Za-z_]+[0-9.]+)' not found")]
    private static partial Regex MissingVersion();
}

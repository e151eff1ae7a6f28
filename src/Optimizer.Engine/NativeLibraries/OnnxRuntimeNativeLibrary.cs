using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Engine.NativeLibraries;

/// <summary>
/// Finds ONNX Runtime's native library for the engine. The Optimizer.Build package does not ship
/// it (one copy per platform would make the package hundreds of megabytes); the app that uses the
/// package already restores Microsoft.ML.OnnxRuntime through Optimizer.Runtime, so the engine loads
/// the native library from that package in the NuGet packages folder. A development build of the
/// engine has the library next to it and finds it the ordinary way first.
/// </summary>
internal static class OnnxRuntimeNativeLibrary
{
    /// <summary>Set by the MSBuild targets to $(NuGetPackageRoot).</summary>
    public const string PackageRootVariable = "OPTIMIZER_NUGET_PACKAGE_ROOT";

    private const string LibraryName = "onnxruntime";
    private const string PackageFolder = "microsoft.ml.onnxruntime";

    public static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(InferenceSession).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;
        if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle)) return handle;
        foreach (var candidate in Candidates(ManagedVersion(assembly)))
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out handle)) return handle;
        }
        return IntPtr.Zero; // ONNX Runtime then throws DllNotFoundException, reported with a code.
    }

    /// <summary>The matching package version first, then any other version, newest first
    /// (the native C API stays backward compatible).</summary>
    internal static IEnumerable<string> Candidates(string? version)
    {
        var fileName = OperatingSystem.IsWindows() ? "onnxruntime.dll"
            : OperatingSystem.IsMacOS() ? "libonnxruntime.dylib" : "libonnxruntime.so";
        var relative = Path.Combine("runtimes", PortableRid(), "native", fileName);
        foreach (var root in PackageRoots())
        {
            var packageDirectory = Path.Combine(root, PackageFolder);
            if (!Directory.Exists(packageDirectory)) continue;
            if (version != null) yield return Path.Combine(packageDirectory, version, relative);
            var others = Directory.GetDirectories(packageDirectory)
                .Select(Path.GetFileName)
                .Where(v => v != version && System.Version.TryParse(v, out _))
                .OrderByDescending(v => System.Version.Parse(v!));
            foreach (var other in others) yield return Path.Combine(packageDirectory, other!, relative);
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

    private static string? ManagedVersion(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0];
    }

    private static string PortableRid()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            _ => "x64",
        };
        return $"{os}-{arch}";
    }
}

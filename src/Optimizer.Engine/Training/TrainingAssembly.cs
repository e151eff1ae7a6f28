using System.Reflection;
using System.Runtime.Loader;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.NativeLibraries;
using Optimizer.Passes;

namespace Optimizer.Engine.Training;

/// <summary>
/// Loads the Optimizer.Training assembly (and, through it, TorchSharp) into the engine, only when a
/// plan declares a training pass: the engine itself references neither, so a build without training
/// never loads libtorch. The assembly's path comes from the Optimizer.Training package's build props
/// (<c>$(OptimizerTrainingAssembly)</c>, passed by Optimizer.Build's targets as
/// <see cref="AssemblyVariable"/>); its dependencies (TorchSharp and what it references) resolve from
/// the training assembly's folder, then from the NuGet packages folder, like ONNX Runtime's native
/// library (<see cref="OnnxRuntimeNativeLibrary"/>).
/// </summary>
internal static class TrainingAssembly
{
    /// <summary>Environment variable with the full path of Optimizer.Training.dll; empty when the package is not referenced.</summary>
    public const string AssemblyVariable = "OPTIMIZER_TRAINING_ASSEMBLY";

    public const string PackageId = "Optimizer.Training";
    private const string EntryType = "Optimizer.Training.EngineEntryPoint";
    private static readonly object Gate = new();
    private static Assembly? _assembly;

    /// <summary>The entry point for one-float-input data (<c>EngineEntryPoint.Train</c>).</summary>
    public static MethodInfo Train(string pass) => EntryMethod(pass, "Train");

    /// <summary>The entry point for data matched to every model input (<c>EngineEntryPoint.TrainSamples</c>).</summary>
    public static MethodInfo TrainSamples(string pass) => EntryMethod(pass, "TrainSamples");

    /// <summary>The training entry point <c>EngineEntryPoint.<paramref name="method"/></c>; loads the assembly on first use.</summary>
    /// <exception cref="PassException">The package is not referenced or restored (OPT1070), pointing at the pass.</exception>
    private static MethodInfo EntryMethod(string pass, string method)
    {
        lock (Gate)
        {
            var path = Environment.GetEnvironmentVariable(AssemblyVariable);
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new PassException(EngineErrorCodes.TrainingPackageMissing,
                    $"[{pass}] needs the {PackageId} package, which this project does not reference. Add <PackageReference Include=\"{PackageId}\" Version=\"{EngineVersion.Current}\" /> (it brings TorchSharp and libtorch for Linux x64, CPU), or remove [{pass}].",
                    pass);
            }
            if (_assembly is not null) return Method(_assembly, pass, path, method);
            if (!File.Exists(path))
            {
                throw new PassException(EngineErrorCodes.TrainingPackageMissing,
                    $"[{pass}]: the {PackageId} assembly '{path}' does not exist. Restore the project (dotnet restore) so the {PackageId} package is in the NuGet packages folder.",
                    pass);
            }

            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            AssemblyLoadContext.Default.Resolving += (context, name) => Resolve(context, name, folder);
            _assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(path));
            return Method(_assembly, pass, path, method);
        }
    }

    private static MethodInfo Method(Assembly assembly, string pass, string path, string method) =>
        assembly.GetType(EntryType, throwOnError: true)!.GetMethod(method, BindingFlags.Public | BindingFlags.Static)
        ?? throw new PassException(EngineErrorCodes.TrainingPackageMissing,
            $"[{pass}]: '{path}' has no {EntryType}.{method}; the {PackageId} package and Optimizer.Build must be the same version ({EngineVersion.Current}).", pass);

    /// <summary>An assembly the training assembly references: beside it, else in the NuGet packages folder (any lib/ folder whose file has the requested version).</summary>
    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name, string folder)
    {
        var fileName = name.Name + ".dll";
        var beside = Path.Combine(folder, fileName);
        if (File.Exists(beside)) return context.LoadFromAssemblyPath(beside);
        foreach (var root in PackageRoots())
        {
            var package = Path.Combine(root, name.Name!.ToLowerInvariant());
            if (!Directory.Exists(package)) continue;
            var match = Directory.GetDirectories(package)
                .SelectMany(version => Directory.Exists(Path.Combine(version, "lib")) ? Directory.GetDirectories(Path.Combine(version, "lib")) : [])
                .Select(lib => Path.Combine(lib, fileName))
                .Where(File.Exists)
                .OrderByDescending(PreferredFramework)
                .FirstOrDefault(file => name.Version is null || AssemblyName.GetAssemblyName(file).Version == name.Version);
            if (match is not null) return context.LoadFromAssemblyPath(match);
        }
        return null;
    }

    /// <summary>The NuGet packages folders, as OnnxRuntimeNativeLibrary searches them.</summary>
    private static IEnumerable<string> PackageRoots()
    {
        foreach (var variable in new[] { OnnxRuntimeNativeLibrary.PackageRootVariable, "NUGET_PACKAGES" })
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(value)) yield return value;
        }
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    private static int PreferredFramework(string file) => Path.GetFileName(Path.GetDirectoryName(file)) switch
    {
        var tfm when tfm!.StartsWith("net1", StringComparison.Ordinal) => 4,
        var tfm when tfm!.StartsWith("net", StringComparison.Ordinal) && !tfm.StartsWith("netstandard", StringComparison.Ordinal) => 3,
        "netstandard2.1" => 2,
        _ => 1,
    };
}

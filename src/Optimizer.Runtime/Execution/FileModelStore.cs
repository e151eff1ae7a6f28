using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Runtime;

/// <summary>
/// The optimized model and kernel programs the build copied beside the app (weights stored as
/// files): <see cref="ModelMetadata.ModelFile"/> under the app's base directory or
/// <see cref="ModelOptions.ModelDirectory"/>. ONNX Runtime opens the model by its path, so its
/// external data resolves beside it; kernel programs are mapped into memory, not read.
/// </summary>
internal sealed class FileModelStore : ModelStore
{
    private readonly ModelMetadata _metadata;
    private readonly string _directory;

    public FileModelStore(ModelMetadata metadata, string directory)
    {
        _metadata = metadata;
        _directory = Path.GetFullPath(directory);
        ModelPath = Path.Combine(_directory, metadata.ModelFile!);
    }

    /// <summary>The model file's full path.</summary>
    public string ModelPath { get; }

    /// <summary>
    /// The file of the program embedded builds name <paramref name="resourceName"/>: the model file
    /// with the same suffix in place of <c>.onnx</c> (<c>X.kernels</c>, <c>X.fp32.kernels</c>); null for another model's name.
    /// </summary>
    public string? ProgramPath(string resourceName)
    {
        string resourceStem = Stem(_metadata.ResourceName);
        return resourceName.StartsWith(resourceStem, StringComparison.Ordinal)
            ? Stem(ModelPath) + resourceName[resourceStem.Length..]
            : null;
    }

    public override bool HasProgram(string resourceName) => ProgramPath(resourceName) is { } path && File.Exists(path);

    public override Stream OpenProgram(string resourceName)
    {
        string path = ProgramPath(resourceName) ?? throw new InvalidOperationException($"The compiled kernels '{resourceName}' are not '{_metadata.Name}''s.");
        EnsureExists(path, "compiled kernels");
        return MappedFileStream.Open(path);
    }

    public override Stream OpenModel()
    {
        EnsureExists(ModelPath, "optimized model");
        return MappedFileStream.Open(ModelPath);
    }

    public override byte[] ReadModel()
    {
        EnsureExists(ModelPath, "optimized model");
        return File.ReadAllBytes(ModelPath);
    }

    public override InferenceSession CreateSession(ModelOptions options, ExecutionTarget target)
    {
        EnsureExists(ModelPath, "optimized model");
        return ExecutionProviders.CreateSession(ModelPath, options, target);
    }

    /// <exception cref="FileNotFoundException">The file is missing: the message names it and the folder searched.</exception>
    private void EnsureExists(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The {what} for '{_metadata.Name}' is stored beside the app, but '{Path.GetRelativePath(_directory, path)}' is not in '{_directory}'. " +
                "Build or publish the project again so the files are copied there, copy them there, or set ModelOptions.ModelDirectory to the folder that holds them.",
                path);
        }
    }

    private static string Stem(string name) =>
        name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? name[..^5] : name;
}

using System.Reflection;
using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Runtime;

/// <summary>The optimized model and kernel programs that the build embedded in the generated class's assembly.</summary>
internal sealed class EmbeddedModelStore(Assembly assembly, ModelMetadata metadata) : ModelStore
{
    public override bool HasProgram(string resourceName) => Array.IndexOf(assembly.GetManifestResourceNames(), resourceName) >= 0;

    public override Stream OpenProgram(string resourceName) =>
        assembly.GetManifestResourceStream(resourceName)
        ?? throw new InvalidOperationException($"The compiled kernels for '{metadata.Name}' are not embedded (no resource '{resourceName}'). Rebuild the project.");

    public override byte[] ReadModel()
    {
        using Stream stream = OpenModel();
        using var buffer = new MemoryStream(stream.CanSeek ? (int)stream.Length : 0);
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    public override Stream OpenModel()
    {
        Stream? stream = assembly.GetManifestResourceStream(metadata.ResourceName);
        if (stream is null)
        {
            string present = string.Join(", ", assembly.GetManifestResourceNames().Where(n => n.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)));
            throw new InvalidOperationException(
                $"The optimized model for '{metadata.Name}' is not embedded: assembly '{assembly.GetName().Name}' has no resource '{metadata.ResourceName}' " +
                $"(ONNX resources present: {(present.Length == 0 ? "none" : present)}). Rebuild the project so Optimizer.Build can optimize and embed the model.");
        }

        return stream;
    }

    public override InferenceSession CreateSession(ModelOptions options, ExecutionTarget target) =>
        ExecutionProviders.CreateSession(ReadModel(), options, target);
}

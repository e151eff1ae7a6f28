using System.Reflection;

namespace Optimizer.Runtime;

/// <summary>Reads the optimized model that the build embedded in the generated class's assembly.</summary>
internal static class EmbeddedModel
{
    public static byte[] Read(Assembly assembly, ModelMetadata metadata)
    {
        using Stream? stream = assembly.GetManifestResourceStream(metadata.ResourceName);
        if (stream is null)
        {
            string present = string.Join(", ", assembly.GetManifestResourceNames().Where(n => n.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)));
            throw new InvalidOperationException(
                $"The optimized model for '{metadata.Name}' is not embedded: assembly '{assembly.GetName().Name}' has no resource '{metadata.ResourceName}' " +
                $"(ONNX resources present: {(present.Length == 0 ? "none" : present)}). Rebuild the project so Optimizer.Build can optimize and embed the model.");
        }

        using var buffer = new MemoryStream(stream.CanSeek ? (int)stream.Length : 0);
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}

using System.Reflection;
using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Runtime;

/// <summary>
/// Where a generated class's optimized model and kernel programs are: embedded in its assembly
/// (<see cref="EmbeddedModelStore"/>) or, when the build stored them as files
/// (<see cref="ModelMetadata.ModelFile"/>), beside the app (<see cref="FileModelStore"/>). Kernel
/// programs are named by their resource names in both, so variants need no second table.
/// </summary>
internal abstract class ModelStore
{
    /// <summary>The store <paramref name="metadata"/> says the build used.</summary>
    public static ModelStore For(ModelMetadata metadata, Assembly resourceAssembly, ModelOptions options) =>
        metadata.ModelFile is null
            ? new EmbeddedModelStore(resourceAssembly, metadata)
            : new FileModelStore(metadata, options.ModelDirectory ?? AppContext.BaseDirectory);

    /// <summary>Whether the kernel program stored under <paramref name="resourceName"/> is there.</summary>
    public abstract bool HasProgram(string resourceName);

    /// <summary>
    /// The kernel program as an <see cref="UnmanagedMemoryStream"/> the program's weights are read in
    /// place from (the assembly image, or the file mapped into memory); the caller disposes it.
    /// </summary>
    /// <exception cref="InvalidOperationException">It is not there.</exception>
    public abstract Stream OpenProgram(string resourceName);

    /// <summary>
    /// The optimized model (the <c>.onnx</c> alone) as an <see cref="UnmanagedMemoryStream"/> over the
    /// assembly image or the mapped file, so kernel programs read the initializers they reference in
    /// place; the caller disposes it.
    /// </summary>
    /// <exception cref="InvalidOperationException">It is not there.</exception>
    public abstract Stream OpenModel();

    /// <summary>The optimized model's bytes (the <c>.onnx</c> alone; external data stays in its files).</summary>
    public abstract byte[] ReadModel();

    /// <summary>An ONNX Runtime session on the optimized model.</summary>
    public abstract InferenceSession CreateSession(ModelOptions options, ExecutionTarget target);
}

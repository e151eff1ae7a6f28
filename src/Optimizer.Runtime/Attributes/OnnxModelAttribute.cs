namespace Optimizer.Runtime;

/// <summary>
/// Declares that a <c>partial</c> class is the typed inference class for an ONNX model.
/// At build time Optimizer.Build optimizes the model, embeds the result in the assembly and
/// generates the rest of the class: a constructor, nested <c>Input</c>/<c>Output</c> types and
/// <c>Run</c>.
/// </summary>
/// <remarks>
/// The class (and every type containing it) must be <c>partial</c>; it must not declare a base
/// class, because the generated part derives from <see cref="OnnxModelBase"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class OnnxModelAttribute : Attribute
{
    /// <summary>Declares the model file to optimize and bind to this class.</summary>
    /// <param name="path">
    /// The <c>.onnx</c> file, relative to the project folder, with <c>/</c> or <c>\</c> separators
    /// (for example <c>Models/digits.onnx</c>).
    /// </param>
    public OnnxModelAttribute(string path) => Path = path;

    /// <summary>The model file as declared, relative to the project folder.</summary>
    public string Path { get; }
}

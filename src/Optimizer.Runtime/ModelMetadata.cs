using System.ComponentModel;

namespace Optimizer.Runtime;

/// <summary>
/// What a generated class knows about its model at compile time: its name, the embedded
/// resource holding the optimized model, and its inputs and outputs in graph order.
/// </summary>
public sealed class ModelMetadata
{
    /// <summary>Describes a model.</summary>
    /// <param name="name">The model's name, usually the generated class's full name (used in messages).</param>
    /// <param name="resourceName">The manifest resource name of the embedded optimized model.</param>
    /// <param name="inputs">The model's inputs in graph order.</param>
    /// <param name="outputs">The model's outputs in graph order.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ModelMetadata(string name, string resourceName, TensorMetadata[] inputs, TensorMetadata[] outputs)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        ResourceName = resourceName ?? throw new ArgumentNullException(nameof(resourceName));
        Inputs = Array.AsReadOnly((TensorMetadata[])(inputs ?? throw new ArgumentNullException(nameof(inputs))).Clone());
        Outputs = Array.AsReadOnly((TensorMetadata[])(outputs ?? throw new ArgumentNullException(nameof(outputs))).Clone());
    }

    /// <summary>The model's name, usually the generated class's full name.</summary>
    public string Name { get; }

    /// <summary>The manifest resource name of the embedded optimized model.</summary>
    public string ResourceName { get; }

    /// <summary>The model's inputs in graph order.</summary>
    public IReadOnlyList<TensorMetadata> Inputs { get; }

    /// <summary>The model's outputs in graph order.</summary>
    public IReadOnlyList<TensorMetadata> Outputs { get; }

    /// <summary>
    /// Set when the build stored the model as files beside the app instead of embedding it
    /// (<c>OptimizerWeightsStorage</c>): the optimized model's path under the app's base directory
    /// (or <see cref="ModelOptions.ModelDirectory"/>), '/'-separated, e.g. <c>models/Sample.Encoder.onnx</c>.
    /// Its external data and kernel programs lie beside it; <see langword="null"/> when embedded.
    /// </summary>
    public string? ModelFile { get; init; }

    /// <summary>
    /// The manifest resource name of the compiled kernel program the build embedded beside the model
    /// (when every op is covered by the compiled kernels), or <see langword="null"/>: then the runtime
    /// looks for <see cref="ResourceName"/> with <c>.kernels</c> in place of <c>.onnx</c>.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string? ProgramResourceName { get; init; }

    /// <summary>When the build could not compile the model: the operators the kernel set lacks (for the message when the compiled path is asked for).</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public IReadOnlyList<string> NotCompiledOperators { get; init; } = [];

    /// <summary>
    /// The kernel program's steps as generated C# (set when the manifest carried the schedule): run
    /// in place of the interpreter when it was generated from the embedded program; <see langword="null"/>
    /// runs the interpreter.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public GeneratedSchedule? CompiledSchedule { get; init; }

    /// <summary>
    /// The compiled variants when the build embedded several (best first, the last the fallback; the
    /// first is <see cref="ProgramResourceName"/>'s program); empty when there is one program.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IReadOnlyList<CompiledVariant> CompiledVariants { get; init; } = [];

    /// <summary>
    /// Set when the build timed the compiled kernels clearly faster than ONNX Runtime on its machine:
    /// <see cref="ModelOptions.Path"/> = <see cref="ExecutionPathKind.Auto"/> then tries them first on a CPU
    /// with the same kernel paths. <see langword="null"/> keeps ONNX Runtime first.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public AutoPathChoice? AutoPath { get; init; }

    /// <summary>
    /// Set when the build embedded several <see cref="CompiledVariants"/> and timed them against each other:
    /// the variant that ran faster on the build machine, which the runtime picks on a CPU with the same
    /// kernel paths (unless <see cref="ModelOptions.Variant"/> names another). <see langword="null"/> leaves
    /// the choice to the kernel table.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public VariantChoice? VariantChoice { get; init; }
}

namespace Optimizer.Build.Generator.Model;

/// <summary>What the generator needs from one <c>*.model.json</c> manifest (see src/README.md).</summary>
internal sealed record ModelManifest(
    int FormatVersion,
    string Name,
    string ClassName,
    string ModelPath,
    string ResourceName,
    EquatableArray<TensorSignature> Inputs,
    EquatableArray<TensorSignature> Outputs)
{
    /// <summary>
    /// The model's file under the app's base directory when the build stores it as files beside the app
    /// (the manifest item's <c>OptimizerModelFile</c>, checked by <c>ManifestTokens.IsModelFile</c>); null when embedded.
    /// </summary>
    public string? ModelFile { get; init; }

    /// <summary>The embedded kernel program's resource name when the build compiled the model (manifest <c>execution.compiled</c>); null otherwise.</summary>
    public string? ProgramResourceName { get; init; }

    /// <summary>The kernels the compiled program calls, e.g. <c>Gemm</c>, <c>Unary</c>; empty without a program.</summary>
    public EquatableArray<string> Kernels { get; init; } = new(System.Array.Empty<string>());

    /// <summary>The program's steps (manifest <c>execution.compiled.schedule</c>), emitted as kernel calls; null when the manifest has none.</summary>
    public KernelSchedule? Schedule { get; init; }

    /// <summary>
    /// The operators that kept the build from compiling the model (from manifest <c>execution.notCompiled</c>,
    /// ASCII identifiers only: model text never reaches generated code otherwise); empty when it compiled.
    /// </summary>
    public EquatableArray<string> NotCompiledOperators { get; init; } = new(System.Array.Empty<string>());

    /// <summary>The compiled variants (manifest <c>execution.variants</c>), best first; empty when the build embedded one program.</summary>
    public EquatableArray<CompiledVariantInfo> Variants { get; init; } = new(System.Array.Empty<CompiledVariantInfo>());

    /// <summary>The build timed the compiled kernels faster than ONNX Runtime (manifest <c>execution.auto</c>); null keeps ONNX Runtime first.</summary>
    public AutoPathInfo? AutoPath { get; init; }

    /// <summary>The variant the build timed faster on its machine (manifest <c>execution.variantChoice</c>); null leaves the choice to the kernel table.</summary>
    public VariantChoiceInfo? VariantChoice { get; init; }
}

/// <summary>Which variant the build timed faster: the machine's kernel paths, the timed shapes, the variant's name.</summary>
internal sealed record VariantChoiceInfo(string Machine, string TimedAt, string Variant);

/// <summary>Where the build timed the compiled kernels faster: the machine's kernel paths, the timed shapes, the variant (or null).</summary>
internal sealed record AutoPathInfo(string Machine, string TimedAt, string? Variant);

/// <summary>One compiled variant: its name, what the CPU needs for it to be preferred (or null), its program's resource and schedule.</summary>
internal sealed record CompiledVariantInfo(string Name, string? Requires, string ResourceName, KernelSchedule? Schedule);

/// <summary>
/// One model input or output. <see cref="ElementType"/> is the manifest's name (e.g. <c>float32</c>);
/// <see cref="Kind"/> names a non-tensor value; <see cref="Shape"/> is null when the rank is unknown.
/// </summary>
internal sealed record TensorSignature(string Name, string ElementType, string? Kind, EquatableArray<ShapeDimension>? Shape)
{
    /// <summary>For an input: the finite range the build calibrated or validated on (manifest <c>range</c>), or null.</summary>
    public InputRange? Range { get; init; }
}

/// <summary>The smallest and largest value an input was prepared for (both finite, <see cref="Min"/> ≤ <see cref="Max"/>).</summary>
internal readonly record struct InputRange(double Min, double Max);

/// <summary>A fixed size, a symbol such as <c>batch</c>, or unknown (both null).</summary>
internal readonly record struct ShapeDimension(int? Size, string? Symbol)
{
    public override string ToString() => Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}

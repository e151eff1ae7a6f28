namespace Optimizer.Engine.Manifests;

/// <summary>One model input or output: the generator's typed property comes from this.</summary>
/// <param name="Shape">Entries are long (fixed), string (symbolic) or null (unknown); null = unknown rank.</param>
/// <param name="Kind">Set only for values the generator cannot type (sequence, map, optional, ...).</param>
public sealed record ManifestValue(string Name, string ElementType, IReadOnlyList<object?>? Shape, string? Kind)
{
    /// <summary>For a floating-point input: the range the build calibrated or validated on (null writes no <c>range</c>).</summary>
    public ManifestRange? Range { get; init; }
}

/// <summary>
/// The values an input was prepared for: <c>quantizer</c> = the static INT8 input quantizer's
/// representable range (values beyond it are clipped), <c>data</c> = the min/max seen in the declared
/// calibration or validation data. The runtime counts production inputs outside it.
/// </summary>
public sealed record ManifestRange(double Min, double Max, string Source)
{
    public const string Quantizer = "quantizer";
    public const string Data = "data";
}

/// <summary>What one pass did, as the pipeline reported it.</summary>
public sealed record ManifestPass(string Pass, string Summary);

/// <summary>The engine → generator contract (src/README.md, "Manifest").</summary>
public sealed record ModelManifest(
    string EngineVersion,
    string Name,
    string ClassName,
    string ModelPath,
    string ResourceName,
    string SourceSha256,
    string OptimizedSha256,
    long SizeBefore,
    long SizeAfter,
    IReadOnlyList<ManifestPass> Passes,
    IReadOnlyList<ManifestValue> Inputs,
    IReadOnlyList<ManifestValue> Outputs)
{
    public const int FormatVersion = 1;

    /// <summary>The ways the generated class can run the model; null writes no <c>execution</c> property.</summary>
    public ManifestExecution? Execution { get; init; }
}

/// <summary>
/// The execution paths the build prepared: always <c>OnnxRuntime</c>; <c>Compiled</c> when the kernel
/// compiler covered every node (then <paramref name="Compiled"/> describes the program), else
/// <paramref name="NotCompiled"/> says which nodes kept it from compiling.
/// </summary>
public sealed record ManifestExecution(IReadOnlyList<string> Paths, ManifestCompiledProgram? Compiled, IReadOnlyList<string> NotCompiled)
{
    /// <summary>The compiled variants when the build embedded more than one (the first is <see cref="Compiled"/>); empty writes no <c>variants</c>.</summary>
    public IReadOnlyList<ManifestVariant> Variants { get; init; } = [];

    /// <summary>The operators of the nodes that kept it from compiling, sorted (for the runtime's message when the compiled path is asked for).</summary>
    public IReadOnlyList<string> NotCompiledOperators { get; init; } = [];

    /// <summary>Set when the build timed the compiled kernels clearly faster than ONNX Runtime on this machine; null writes no <c>auto</c>.</summary>
    public ManifestAutoPath? Auto { get; init; }

    /// <summary>Set when the build timed the <see cref="Variants"/> against each other on this machine; null writes no <c>variantChoice</c>.</summary>
    public ManifestVariantChoice? VariantChoice { get; init; }
}

/// <summary>
/// Which compiled variant ran faster on the build machine (<c>Optimizer.Runtime.VariantChoice</c>): the
/// runtime picks it on a CPU with the same kernel paths. Only the decision, never the timings.
/// </summary>
/// <param name="Variant">The winner: a variant clearly faster than the last one, else the last one.</param>
/// <param name="Machine">The build machine's instruction sets and kernel paths (<c>Optimizer.Runtime.AutoPathChoice.CurrentMachine</c>).</param>
/// <param name="TimedAt">The first input's timed shapes, e.g. <c>[1,1,8,8]</c>.</param>
public sealed record ManifestVariantChoice(string Variant, string Machine, string TimedAt);

/// <summary>
/// What <c>ModelOptions.Path = Auto</c> runs first on a CPU like the build machine: only the decision
/// and what it depends on, never the timings (they differ from build to build; the summary line has them).
/// </summary>
/// <param name="Path">Always <c>Compiled</c> today (a build where ONNX Runtime wins writes no <c>auto</c>).</param>
/// <param name="Machine">The build machine's instruction sets and kernel paths (<c>Optimizer.Runtime.AutoPathChoice.CurrentMachine</c>).</param>
/// <param name="TimedAt">The first input's timed shapes, e.g. <c>[1,64]</c> or <c>[1,16]; [1,128]</c>.</param>
/// <param name="Variant">The compiled variant that was timed; null when there is one program.</param>
public sealed record ManifestAutoPath(string Path, string Machine, string TimedAt, string? Variant);

/// <summary>One compiled variant: its name (e.g. <c>int8</c>, <c>fp32</c>), the CPU feature it needs to be preferred (null: none) and its program.</summary>
public sealed record ManifestVariant(string Name, string? Requires, ManifestCompiledProgram Program);

/// <summary>The embedded kernel program: its resource, size, number of kernel calls and the kernels it calls.</summary>
public sealed record ManifestCompiledProgram(string ResourceName, long Size, int Steps, IReadOnlyList<string> Kernels)
{
    /// <summary>The steps in the schedule syntax (<see cref="Compilation.ScheduleText"/>), for the generator to emit as C#; empty writes none.</summary>
    public IReadOnlyList<string> Schedule { get; init; } = [];
}

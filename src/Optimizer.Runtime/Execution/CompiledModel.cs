using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime;

/// <summary>
/// The compiled-kernel path of a generated class: the kernel program the build embedded next to
/// the optimized model (resource <c>&lt;model resource without .onnx&gt;.kernels</c>) or stored beside
/// it as a file (<see cref="ModelStore"/>), its weights read in place from the assembly image or the
/// file mapped into memory (those that are the model's initializers packed from the model once, at load), and executors reused across calls (one per concurrent call).
/// </summary>
internal sealed class CompiledModel : IDisposable
{
    private readonly Stream _resource;
    private readonly GeneratedSchedule? _schedule;
    private KernelExecutor? _spare;
    private GeneratedScheduleRunner? _spareRunner;

    private CompiledModel(Stream resource, KernelProgram program, GeneratedSchedule? schedule)
    {
        _resource = resource;
        Program = program;
        _schedule = schedule;
    }

    public KernelProgram Program { get; }

    /// <summary>The variant running, when the build embedded several; null otherwise.</summary>
    public string? Variant { get; private init; }

    /// <summary>Why <see cref="Variant"/> runs (<see cref="VariantSelector"/>); null with one program.</summary>
    public string? VariantReason { get; private init; }

    /// <summary>How the steps run: <c>generated</c> (the generator's C# kernel calls) or <c>interpreter</c> (<see cref="KernelExecutor"/>).</summary>
    public string Schedule => _schedule is null ? "interpreter" : "generated";

    /// <summary>The resource name of the kernel program that goes with <paramref name="metadata"/>'s model.</summary>
    public static string ResourceNameFor(ModelMetadata metadata) => metadata.ProgramResourceName ??
        (metadata.ResourceName.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? metadata.ResourceName[..^5] : metadata.ResourceName) + ".kernels";

    /// <summary>Whether the build left a kernel program in <paramref name="store"/> (embedded or beside the app).</summary>
    public static bool IsAvailable(ModelStore store, ModelMetadata metadata) => store.HasProgram(ResourceNameFor(metadata));

    /// <summary>Loads the program and checks it against the generated signature.</summary>
    /// <exception cref="InvalidOperationException">The program is missing, unreadable, or does not match the metadata.</exception>
    public static CompiledModel Load(ModelStore store, ModelMetadata metadata, string? variant = null)
    {
        string name = ResourceNameFor(metadata);
        GeneratedSchedule? generated = metadata.CompiledSchedule;
        string? variantName = null, variantReason = null;
        if (metadata.CompiledVariants.Count > 0)
        {
            (CompiledVariant? chosen, string reason) = VariantSelector.Choose(metadata.CompiledVariants, CpuFeatures.Detect(), variant, metadata.VariantChoice);
            if (chosen is null)
            {
                throw new InvalidOperationException($"The compiled kernels for '{metadata.Name}' cannot run: {reason}.");
            }

            (name, generated, variantName, variantReason) = (chosen.ResourceName, chosen.Schedule, chosen.Name, reason);
        }

        Stream stream = store.OpenProgram(name);
        KernelProgram program;
        try
        {
            // Weights that are the model's initializers are built from it here (the model is opened
            // only for a program that references it, and not kept open).
            program = KernelProgram.Load(stream, store.OpenModel);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            stream.Dispose();
            throw new InvalidOperationException($"The compiled kernels for '{metadata.Name}' (resource '{name}') cannot be read: {ex.Message} Rebuild the project.", ex);
        }

        bool matches = program.Inputs.Select(i => i.Name).SequenceEqual(metadata.Inputs.Select(i => i.Name))
                       && program.Outputs.Select(o => o.Name).SequenceEqual(metadata.Outputs.Select(o => o.Name));
        if (!matches)
        {
            program.Dispose();
            stream.Dispose();
            throw new InvalidOperationException(
                $"The compiled kernels for '{metadata.Name}' have inputs [{string.Join(", ", program.Inputs.Select(i => ModelText.Printable(i.Name)))}] and outputs [{string.Join(", ", program.Outputs.Select(o => ModelText.Printable(o.Name)))}], " +
                $"but the generated class expects [{string.Join(", ", metadata.Inputs.Select(i => i.Name))}] and [{string.Join(", ", metadata.Outputs.Select(o => o.Name))}]. Rebuild the project.");
        }

        // The generated schedule runs only with the program it was generated from (same build):
        // anything else (a program replaced after the build) runs on the interpreter.
        GeneratedSchedule? schedule = generated is not null
            && generated.StepCount == program.Steps.Count && generated.ProgramSize == stream.Length ? generated : null;
        return new CompiledModel(stream, program, schedule) { Variant = variantName, VariantReason = variantReason };
    }

    /// <summary>The symbolic dimensions' values that give every input the shape it has; throws when none do.</summary>
    public long[] Bind(int[]?[] inputShapes) => ProgramLayout.Bind(Program, inputShapes.Select(s => s!).ToArray());

    /// <summary>The shape of output <paramref name="index"/> for the symbolic dimensions' values.</summary>
    public int[] OutputShape(int index, long[] symbols) => Program.Outputs[index].Dims.Select(d => checked((int)d.Evaluate(symbols))).ToArray();

    /// <summary>A new array for output <paramref name="index"/>, typed as the program declares it.</summary>
    public Array NewOutput(int index, long[] symbols)
    {
        long length = Program.Outputs[index].ElementCount(symbols);
        return Program.Outputs[index].ElementType switch
        {
            KernelElementType.Float32 => new float[length],
            KernelElementType.UInt8 => new byte[length],
            KernelElementType.Int8 => new sbyte[length],
            KernelElementType.Int64 => new long[length],
            KernelElementType.Bool => new bool[length],
            _ => new int[length],
        };
    }

    /// <summary>Runs the program; inputs and outputs are pinned addresses.</summary>
    public void Run(long[] symbols, ReadOnlySpan<nint> inputs, ReadOnlySpan<nint> outputs)
    {
        if (_schedule is not null)
        {
            GeneratedScheduleRunner runner = Interlocked.Exchange(ref _spareRunner, null) ?? new GeneratedScheduleRunner(Program, _schedule);
            try
            {
                runner.Run(symbols, inputs, outputs);
            }
            finally
            {
                if (Interlocked.CompareExchange(ref _spareRunner, runner, null) is not null)
                {
                    runner.Dispose();
                }
            }

            return;
        }

        KernelExecutor executor = Interlocked.Exchange(ref _spare, null) ?? new KernelExecutor(Program);
        try
        {
            executor.Run(symbols, inputs, outputs);
        }
        finally
        {
            if (Interlocked.CompareExchange(ref _spare, executor, null) is not null)
            {
                executor.Dispose();
            }
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _spare, null)?.Dispose();
        Interlocked.Exchange(ref _spareRunner, null)?.Dispose();
        Program.Dispose();
        _resource.Dispose();
    }
}

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// A program's sizes for one binding of its symbolic dimensions, computed once per distinct input
/// shape and reused for every call at that shape: the arena placed, and every step's values as
/// <c>int</c>s in slot order — for each step, each operand's byte offset (from the start of its
/// region; arena blocks placed) and element count, then its integer arguments. The interpreter and
/// the generated schedules read the same slots (the generator numbers them the same way).
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class ProgramLayout
{
    private ProgramLayout(long[] symbols, long arenaBytes, int[] slots, int[] stepStarts)
    {
        SymbolValues = symbols;
        ArenaBytes = arenaBytes;
        Slots = slots;
        StepStarts = stepStarts;
    }

    /// <summary>The symbolic dimensions' values.</summary>
    public IReadOnlyList<long> Symbols => SymbolValues;

    internal long[] SymbolValues { get; }

    /// <summary>The arena's size in bytes (at least 64).</summary>
    public long ArenaBytes { get; }

    /// <summary>Every step's values, in slot order.</summary>
    public int[] Slots { get; }

    /// <summary>Where each step's slots start.</summary>
    public int[] StepStarts { get; }

    /// <summary>The number of slots of <paramref name="step"/>: two per operand, one per integer argument.</summary>
    public static int SlotCount(ProgramStep step) => 2 * step.Operands.Count + step.Ints.Count;

    /// <summary>The layout of <paramref name="program"/> for the symbolic dimensions' <paramref name="symbols"/>.</summary>
    /// <exception cref="ArgumentException">A size is negative or does not fit the kernels' <c>int</c> arguments for this shape.</exception>
    public static ProgramLayout For(KernelProgram program, ReadOnlySpan<long> symbols)
    {
        var values = new Dictionary<SizeExpression, long>();
        var copy = symbols.ToArray();
        foreach (var guard in program.Guards)
        {
            if (!guard.Holds(copy))
            {
                throw new ArgumentException($"The compiled kernels were built for input shapes where {Named(program, guard.ToString())}; "
                                            + $"this input has {string.Join(", ", program.Symbols.Select((name, k) => $"{name} = {copy[k]}"))}. "
                                            + "Run this shape on ONNX Runtime (ModelOptions.Path = OnnxRuntime), or give the model's inputs fixed sizes.");
            }
        }

        long Value(SizeExpression e)
        {
            if (!values.TryGetValue(e, out var v))
            {
                v = e.Evaluate(copy);
                values[e] = v;
            }

            return v;
        }

        var blockBytes = program.ArenaStorages.Select(a => Value(a.Bytes)).ToArray();
        var (bases, arenaBytes) = ArenaPlanner.Place(program.ArenaStorages, blockBytes);
        var stepStarts = new int[program.Steps.Count];
        var slots = new int[program.Steps.Sum(SlotCount)];
        var next = 0;
        for (var s = 0; s < program.Steps.Count; s++)
        {
            var step = program.Steps[s];
            stepStarts[s] = next;
            foreach (var o in step.Operands)
            {
                var offset = Value(o.ByteOffset) + (o.Region == BufferRegion.Arena ? bases[o.Index] : 0);
                slots[next++] = ToInt(offset, step, "a byte offset", 0);
                slots[next++] = ToInt(Value(o.Length), step, "a length", 0);
            }

            for (var i = 0; i < step.Ints.Count; i++)
            {
                // A guard's difference may be any size (a Slice's end of 2⁶³−1 minus a dim): its slot holds the sign.
                var value = Value(step.Ints[i]);
                slots[next++] = step.Kind == StepKind.CheckGuard && i == 0 ? Math.Sign(value) : ToInt(value, step, "an argument", int.MinValue);
            }
        }

        return new ProgramLayout(copy, arenaBytes, slots, stepStarts);
    }

    /// <summary>
    /// The symbolic dimensions' values that give every input the shape it has: each input dimension
    /// the program declares as a symbol binds it, and every dimension must then match.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit the program's inputs.</exception>
    public static long[] Bind(KernelProgram program, IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count != program.Inputs.Count)
        {
            throw new ArgumentException($"The program takes {program.Inputs.Count} inputs; {inputShapes.Count} shapes were given.");
        }

        var symbols = new long[program.Symbols.Count];
        var bound = new bool[symbols.Length];
        for (var i = 0; i < inputShapes.Count; i++)
        {
            var dims = program.Inputs[i].Dims;
            var shape = inputShapes[i];
            for (var d = 0; d < Math.Min(dims.Count, shape.Length); d++)
            {
                if (dims[d].SymbolIndex is { } symbol && !bound[symbol])
                {
                    symbols[symbol] = shape[d];
                    bound[symbol] = true;
                }
            }
        }

        for (var i = 0; i < inputShapes.Count; i++)
        {
            var dims = program.Inputs[i].Dims;
            var shape = inputShapes[i];
            if (shape.Length != dims.Count || shape.Any(d => d < 0) || Enumerable.Range(0, dims.Count).Any(d => dims[d].Evaluate(symbols) != shape[d]))
            {
                throw new ArgumentException($"Input '{program.Inputs[i].Name}' has shape [{string.Join(", ", shape)}]; the compiled kernels take "
                                            + $"[{string.Join(", ", dims.Select(d => d.SymbolIndex is { } s ? program.Symbols[s] : d.ToString()))}]"
                                            + (symbols.Length == 0 ? "." : $" ({string.Join(", ", program.Symbols.Select((name, k) => $"{name} = {symbols[k]}"))} from the inputs)."));
            }
        }

        return symbols;
    }

    /// <summary>Expression text with the symbols' names for d0, d1, … (highest index first, so d1 is not read as d1 of d10).</summary>
    private static string Named(KernelProgram program, string text)
    {
        for (var i = program.Symbols.Count - 1; i >= 0; i--)
        {
            text = text.Replace("d" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), program.Symbols[i], StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>The value as an <c>int</c>; offsets and lengths must not be negative (an argument may: a negative stride).</summary>
    private static int ToInt(long value, ProgramStep step, string what, int min) =>
        value >= min && value <= int.MaxValue ? (int)value
            : throw new ArgumentException($"At this input shape, {what} of step Kernels.{step.Kind} ({step.Node}) is {value}, outside what the kernels address. Use smaller inputs.");
}

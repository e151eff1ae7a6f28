using System.Runtime.InteropServices;
using System.Text;

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// A compiled model: a fixed schedule of <see cref="Kernels"/> calls over an arena, inputs,
/// outputs and constant weights, every size and argument an expression of the model's symbolic
/// dimensions (<see cref="SizeExpression"/>), bound from the inputs' shapes at run time
/// (<see cref="ProgramLayout"/>). Stored as a deterministic little-endian blob (<see cref="ToBytes()"/>,
/// format in <c>Compiled/README.md</c>); weights are read in place from an embedded resource when
/// loaded from an <see cref="UnmanagedMemoryStream"/>.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed unsafe class KernelProgram : IDisposable
{
    /// <summary>The format version this runtime reads and writes (4: weights may be read from the model's initializers, <see cref="WeightReference"/>; 5: the compact encoding of <see cref="ProgramWriter"/>).</summary>
    public const int FormatVersion = 5;

    /// <summary>Alignment of the weights section and of every tensor in it.</summary>
    public const int WeightAlignment = 64;

    private static ReadOnlySpan<byte> Magic => "OPTK"u8;

    private readonly byte* _weights;
    private readonly long _weightsLength;
    private readonly object? _keepAlive;
    private void* _owned;

    /// <summary>
    /// Creates a program around weights held in memory (the compiler's output); <paramref name="references"/>
    /// says which of them are the model's initializers (left out by <see cref="ToBytes(ProgramWeights)"/> with <see cref="ProgramWeights.FromModel"/>).
    /// </summary>
    public KernelProgram(IReadOnlyList<string> symbols, IReadOnlyList<ProgramTensor> inputs, IReadOnlyList<ProgramTensor> outputs,
        IReadOnlyList<ArenaStorage> arena, IReadOnlyList<ProgramStep> steps, byte[] weights, IReadOnlyList<ShapeGuard>? guards = null,
        IReadOnlyList<WeightReference>? references = null)
    {
        References = references ?? [];
        Symbols = symbols;
        Guards = guards ?? [];
        Inputs = inputs;
        Outputs = outputs;
        ArenaStorages = arena;
        Steps = steps;
        _weightsLength = weights.Length;
        _owned = NativeMemory.AlignedAlloc((nuint)Math.Max(1, weights.Length), WeightAlignment);
        weights.CopyTo(new Span<byte>(_owned, weights.Length));
        _weights = (byte*)_owned;
    }

    private KernelProgram(ParsedProgram parsed, byte* weights, long weightsLength, void* owned, object? keepAlive)
    {
        References = parsed.References;
        Symbols = parsed.Symbols;
        Guards = parsed.Guards;
        Inputs = parsed.Inputs;
        Outputs = parsed.Outputs;
        ArenaStorages = parsed.Arena;
        Steps = parsed.Steps;
        _weights = weights;
        _weightsLength = weightsLength;
        _owned = owned;
        _keepAlive = keepAlive;
    }

    /// <summary>The model's symbolic dimensions as it names them (<c>d0</c>, <c>d1</c>, … in expressions), in order of first appearance among the inputs.</summary>
    public IReadOnlyList<string> Symbols { get; }

    /// <summary>The conditions on the symbolic dimensions the schedule holds under (empty when it holds for every shape).</summary>
    public IReadOnlyList<ShapeGuard> Guards { get; }

    /// <summary>The inputs, in graph order.</summary>
    public IReadOnlyList<ProgramTensor> Inputs { get; }

    /// <summary>The outputs, in graph order.</summary>
    public IReadOnlyList<ProgramTensor> Outputs { get; }

    /// <summary>The arena's blocks, in order of first use; placed per distinct input shape by <see cref="ProgramLayout"/>.</summary>
    public IReadOnlyList<ArenaStorage> ArenaStorages { get; }

    /// <summary>The schedule.</summary>
    public IReadOnlyList<ProgramStep> Steps { get; }

    /// <summary>The weight tensors that are the model's initializers (packed or as they are), in offset order.</summary>
    public IReadOnlyList<WeightReference> References { get; }

    /// <summary>Whether the weights are read in place from the stream's memory (no copy).</summary>
    public bool WeightsAreZeroCopy => _owned == null;

    /// <summary>The weight bytes.</summary>
    public ReadOnlySpan<byte> Weights => new(_weights, checked((int)_weightsLength));

    internal byte* WeightsPointer => _weights;

    /// <summary>Serializes the program with every weight in it; the same program gives the same bytes.</summary>
    public byte[] ToBytes() => ToBytes(ProgramWeights.Inline);

    /// <summary>
    /// Serializes the program; with <see cref="ProgramWeights.FromModel"/> the <see cref="References"/>'
    /// bytes are left out and read from the model at load time (<see cref="Load(Stream, Stream?)"/>).
    /// The same program gives the same bytes.
    /// </summary>
    public byte[] ToBytes(ProgramWeights weights)
    {
        var references = weights == ProgramWeights.FromModel ? References : [];
        using var stream = new MemoryStream();
        var w = new ProgramWriter(stream);
        w.Raw(Magic);
        w.Int32(FormatVersion);
        var table = ExpressionTable.Of(AllExpressions());
        w.Count(Symbols.Count);
        foreach (var symbol in Symbols)
        {
            w.String(symbol);
        }

        table.Write(w);
        WriteTensors(w, Inputs, table);
        WriteTensors(w, Outputs, table);
        w.Count(ArenaStorages.Count);
        foreach (var storage in ArenaStorages)
        {
            w.Count(table.IndexOf(storage.Bytes));
            w.Count(storage.FirstStep);
            w.Count(storage.LastStep);
        }

        w.Count(Guards.Count);
        foreach (var guard in Guards)
        {
            w.Count(table.IndexOf(guard.Difference));
            w.Byte(guard.AllowedSigns);
        }

        w.Count(Steps.Count);
        foreach (var step in Steps)
        {
            w.Count((ushort)step.Kind);
            w.Count(step.Operands.Count);
            foreach (var o in step.Operands)
            {
                // Region in the low two bits, the block or tensor index above them: one byte for most operands.
                w.Count(((long)o.Index << 2) | (byte)o.Region);
                w.Count(table.IndexOf(o.ByteOffset));
                w.Count(table.IndexOf(o.Length));
            }

            w.Count(step.Ints.Count);
            foreach (var i in step.Ints)
            {
                w.Count(table.IndexOf(i));
            }

            w.Count(step.Floats.Count);
            foreach (var f in step.Floats)
            {
                w.Single(f);
            }

            w.Name(step.Node);
        }

        WeightReferences.Write(w, references);
        var weightsOffset = Align(w.Position + 16, WeightAlignment);
        w.Int64(weightsOffset);
        w.Int64(_weightsLength);
        while (w.Position < weightsOffset)
        {
            w.Byte(0);
        }

        WeightReferences.WriteStored(w, Weights, references);
        w.Flush();
        return stream.ToArray();
    }

    /// <summary>
    /// Reads a program from bytes (the weights are copied into aligned native memory); a program
    /// whose weights are the model's initializers (<see cref="References"/>) reads them from
    /// <paramref name="model"/>, the serialized ONNX model it was compiled from.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a kernel program, another format version, or its model's initializers are missing or mis-sized.</exception>
    public static KernelProgram Read(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> model = default)
    {
        var parsed = Parse(bytes);
        var owned = WeightMemory.Allocate(parsed.WeightsLength);
        try
        {
            WeightReferences.Materialize(parsed.References, bytes.Slice(checked((int)parsed.WeightsOffset), checked((int)parsed.StoredLength)), model,
                new Span<byte>(owned, checked((int)parsed.WeightsLength)));
        }
        catch
        {
            NativeMemory.AlignedFree(owned);
            throw;
        }

        return new KernelProgram(parsed, (byte*)owned, parsed.WeightsLength, owned, null);
    }

    /// <summary>
    /// Reads a program from a stream. An <see cref="UnmanagedMemoryStream"/> (an embedded
    /// resource) whose program stores all its weights is read in place: the weights stay where the
    /// stream's memory is, no copy, and the stream must stay open while the program is used (the
    /// program keeps a reference). A program that reads weights from the model's initializers
    /// builds them from <paramref name="model"/> (the embedded or mapped <c>.onnx</c>, read in
    /// place when it is an <see cref="UnmanagedMemoryStream"/>; not kept after loading).
    /// </summary>
    public static KernelProgram Load(Stream stream, Stream? model = null) => Load(stream, model is null ? null : () => model, ownsModel: false);

    /// <summary>
    /// As <see cref="Load(Stream, Stream?)"/>, but opens the model only for a program that reads
    /// weights from it, and disposes it after loading: a program that stores all its weights (a
    /// program the build could not reference, or one compiled in a test) loads without the model.
    /// </summary>
    public static KernelProgram Load(Stream stream, Func<Stream> openModel) => Load(stream, openModel, ownsModel: true);

    private static KernelProgram Load(Stream stream, Func<Stream>? openModel, bool ownsModel)
    {
        if (stream is UnmanagedMemoryStream { CanRead: true } unmanaged && unmanaged.Position == 0)
        {
            var start = unmanaged.PositionPointer;
            var span = new ReadOnlySpan<byte>(start, checked((int)unmanaged.Length));
            var parsed = Parse(span);
            var weights = start + parsed.WeightsOffset;
            if (parsed.References.Length == 0 && ((nint)weights & 3) == 0)
            {
                return new KernelProgram(parsed, weights, parsed.WeightsLength, null, unmanaged);
            }

            if (parsed.References.Length > 0)
            {
                var (address, length) = ((nint)start, span.Length);
                return WithModelBytes(openModel, ownsModel, modelBytes => Read(new ReadOnlySpan<byte>((byte*)address, length), modelBytes));
            }
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var (bytes, count) = (copy.GetBuffer(), (int)copy.Length);
        var readsModel = Parse(bytes.AsSpan(0, count)).References.Length > 0;
        return WithModelBytes(readsModel ? openModel : null, ownsModel, modelBytes => Read(bytes.AsSpan(0, count), modelBytes));
    }

    /// <summary>Calls <paramref name="read"/> with the model's bytes: in place for unmanaged memory, else copied once; empty without a model.</summary>
    private static KernelProgram WithModelBytes(Func<Stream>? openModel, bool ownsModel, ModelReader read)
    {
        if (openModel is null)
        {
            return read([]);
        }

        var model = openModel();
        try
        {
            if (model is UnmanagedMemoryStream { CanRead: true } unmanaged)
            {
                return read(new ReadOnlySpan<byte>(unmanaged.PositionPointer, checked((int)(unmanaged.Length - unmanaged.Position))));
            }

            using var copy = new MemoryStream();
            model.CopyTo(copy);
            return read(copy.GetBuffer().AsSpan(0, (int)copy.Length));
        }
        finally
        {
            if (ownsModel)
            {
                model.Dispose();
            }
        }
    }

    private delegate KernelProgram ModelReader(ReadOnlySpan<byte> model);

    /// <summary>A readable listing of the schedule, one kernel call per line.</summary>
    public string ToText() =>
        (Symbols.Count == 0 ? "" : $"symbols: {string.Join(", ", Symbols.Select((s, i) => $"d{i} = {s}"))}\n")
        + $"inputs: {string.Join(", ", Inputs.Select(Describe))}\noutputs: {string.Join(", ", Outputs.Select(Describe))}\narena: {ArenaStorages.Count} blocks, weights: {_weightsLength} bytes\n"
        + string.Concat(Steps.Select((s, i) => s.Node.Length == 0 ? $"{i}: {s}\n" : $"{i}: {s}  // {s.Node}\n"));

    /// <inheritdoc />
    public void Dispose()
    {
        if (_owned != null)
        {
            NativeMemory.AlignedFree(_owned);
            _owned = null;
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the native copy of the weights.</summary>
    ~KernelProgram() => Dispose();

    private static string Describe(ProgramTensor t) => $"{t.Name}: {t.ElementType}[{string.Join(",", t.Dims)}]";

    private static long Align(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private IEnumerable<SizeExpression> AllExpressions() =>
        Inputs.Concat(Outputs).SelectMany(t => t.Dims)
            .Concat(ArenaStorages.Select(a => a.Bytes))
            .Concat(Guards.Select(g => g.Difference))
            .Concat(Steps.SelectMany(s => s.Operands.SelectMany(o => new[] { o.ByteOffset, o.Length }).Concat(s.Ints)));

    private static void WriteTensors(ProgramWriter w, IReadOnlyList<ProgramTensor> tensors, ExpressionTable table)
    {
        w.Count(tensors.Count);
        foreach (var t in tensors)
        {
            w.String(t.Name);
            w.Byte((byte)t.ElementType);
            w.Count(t.Dims.Count);
            foreach (var d in t.Dims)
            {
                w.Count(table.IndexOf(d));
            }
        }
    }

    private sealed record ParsedProgram(string[] Symbols, ShapeGuard[] Guards, ProgramTensor[] Inputs, ProgramTensor[] Outputs, ArenaStorage[] Arena, ProgramStep[] Steps,
        WeightReference[] References, long WeightsOffset, long WeightsLength, long StoredLength);

    private static ParsedProgram Parse(ReadOnlySpan<byte> bytes)
    {
        var r = new ProgramReader(bytes);
        if (bytes.Length < 8 || !bytes.Slice(0, 4).SequenceEqual(Magic))
        {
            throw new InvalidDataException("The data is not an Optimizer.Build kernel program (no OPTK header). Rebuild the project to regenerate it.");
        }

        r.Skip(4);
        var version = r.Int32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"The kernel program has format version {version}; this runtime reads version {FormatVersion}. Rebuild with a matching Optimizer.Build.");
        }

        var symbols = new string[r.Count()];
        for (var i = 0; i < symbols.Length; i++)
        {
            symbols[i] = r.String();
        }

        var table = ExpressionTable.Read(ref r);
        var inputs = ReadTensors(ref r, table);
        var outputs = ReadTensors(ref r, table);
        var arena = new ArenaStorage[r.Count()];
        for (var i = 0; i < arena.Length; i++)
        {
            arena[i] = new ArenaStorage(table.ReadIndex(ref r), r.Index(int.MaxValue), r.Index(int.MaxValue));
        }

        var guards = new ShapeGuard[r.Count()];
        for (var i = 0; i < guards.Length; i++)
        {
            guards[i] = new ShapeGuard(table.ReadIndex(ref r), r.Byte());
        }

        var steps = new ProgramStep[r.Count()];
        for (var s = 0; s < steps.Length; s++)
        {
            var kind = (StepKind)r.Index(ushort.MaxValue + 1);
            var operands = new Operand[r.Count()];
            for (var i = 0; i < operands.Length; i++)
            {
                var place = r.Long();
                var (region, index) = ((BufferRegion)(place & 3), place >> 2);
                if (index > ushort.MaxValue || (region == BufferRegion.Arena && index >= arena.Length))
                {
                    throw new InvalidDataException("A step of the kernel program reads an arena block it does not have. Rebuild the project.");
                }

                operands[i] = new Operand(region, (int)index, table.ReadIndex(ref r), table.ReadIndex(ref r));
            }

            var ints = new SizeExpression[r.Count()];
            for (var i = 0; i < ints.Length; i++)
            {
                ints[i] = table.ReadIndex(ref r);
            }

            var floats = new float[r.Count()];
            for (var i = 0; i < floats.Length; i++)
            {
                floats[i] = r.Single();
            }

            steps[s] = new ProgramStep(kind, operands, ints, floats, r.Name());
        }

        var references = WeightReferences.Read(ref r);
        var weightsOffset = r.Int64();
        var weightsLength = r.Int64();
        var storedLength = WeightReferences.StoredLength(references, weightsLength);
        if (weightsOffset < 0 || weightsLength < 0 || weightsOffset > bytes.Length - storedLength)
        {
            throw new InvalidDataException("The kernel program is truncated (its weights section ends past the data). Rebuild the project.");
        }

        return new ParsedProgram(symbols, guards, inputs, outputs, arena, steps, references, weightsOffset, weightsLength, storedLength);
    }

    private static ProgramTensor[] ReadTensors(ref ProgramReader r, ExpressionTable table)
    {
        var tensors = new ProgramTensor[r.Count()];
        for (var i = 0; i < tensors.Length; i++)
        {
            var name = r.String();
            var type = (KernelElementType)r.Byte();
            var dims = new SizeExpression[r.Count()];
            for (var d = 0; d < dims.Length; d++)
            {
                dims[d] = table.ReadIndex(ref r);
            }

            tensors[i] = new ProgramTensor(name, type, dims);
        }

        return tensors;
    }

    /// <summary>
    /// The distinct expressions of a program, stored once each and referred to by index; the most
    /// used first (ties in order of first use), so the common ones take one-byte indexes.
    /// </summary>
    private sealed class ExpressionTable
    {
        private readonly List<SizeExpression> _expressions = new();
        private readonly Dictionary<SizeExpression, int> _indexes = new();

        public static ExpressionTable Of(IEnumerable<SizeExpression> uses)
        {
            var counts = new Dictionary<SizeExpression, (int Count, int First)>();
            foreach (var e in uses)
            {
                counts[e] = counts.TryGetValue(e, out var seen) ? (seen.Count + 1, seen.First) : (1, counts.Count);
            }

            var table = new ExpressionTable();
            foreach (var e in counts.OrderByDescending(c => c.Value.Count).ThenBy(c => c.Value.First).Select(c => c.Key))
            {
                table.Add(e);
            }

            return table;
        }

        public int IndexOf(SizeExpression e) => _indexes[e];

        /// <summary>An expression index, refused when outside the table.</summary>
        public SizeExpression ReadIndex(ref ProgramReader r) => _expressions[r.Index(_expressions.Count)];

        public void Write(ProgramWriter w)
        {
            w.Count(_expressions.Count);
            foreach (var e in _expressions)
            {
                w.Count(e.Code.Count);
                foreach (var op in e.Code)
                {
                    w.Byte((byte)op.Kind);
                    w.Signed(op.Operand);
                }
            }
        }

        public static ExpressionTable Read(ref ProgramReader r)
        {
            var table = new ExpressionTable();
            var count = r.Count();
            for (var i = 0; i < count; i++)
            {
                var code = new SizeOp[r.Count()];
                for (var k = 0; k < code.Length; k++)
                {
                    code[k] = new SizeOp((SizeOpKind)r.Byte(), r.Signed());
                }

                table.Add(new SizeExpression(code));
            }

            return table;
        }

        private void Add(SizeExpression e)
        {
            _indexes.TryAdd(e, _expressions.Count);
            _expressions.Add(e);
        }
    }
}

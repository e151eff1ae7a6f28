using System.Buffers.Binary;
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
    /// <summary>The format version this runtime reads and writes (4: weights may be read from the model's initializers, <see cref="WeightReference"/>).</summary>
    public const int FormatVersion = 4;

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
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            var table = new ExpressionTable();
            foreach (var e in AllExpressions())
            {
                table.Add(e);
            }

            w.Write(Symbols.Count);
            foreach (var symbol in Symbols)
            {
                WriteString(w, symbol);
            }

            table.Write(w);
            WriteTensors(w, Inputs, table);
            WriteTensors(w, Outputs, table);
            w.Write(ArenaStorages.Count);
            foreach (var storage in ArenaStorages)
            {
                w.Write(table.IndexOf(storage.Bytes));
                w.Write(storage.FirstStep);
                w.Write(storage.LastStep);
            }

            w.Write(Guards.Count);
            foreach (var guard in Guards)
            {
                w.Write(table.IndexOf(guard.Difference));
                w.Write(guard.AllowedSigns);
            }

            w.Write(Steps.Count);
            foreach (var step in Steps)
            {
                w.Write((ushort)step.Kind);
                w.Write(checked((byte)step.Operands.Count));
                foreach (var o in step.Operands)
                {
                    w.Write((byte)o.Region);
                    w.Write(checked((ushort)o.Index));
                    w.Write(table.IndexOf(o.ByteOffset));
                    w.Write(table.IndexOf(o.Length));
                }

                w.Write(checked((byte)step.Ints.Count));
                foreach (var i in step.Ints)
                {
                    w.Write(table.IndexOf(i));
                }

                w.Write(checked((byte)step.Floats.Count));
                foreach (var f in step.Floats)
                {
                    w.Write(f);
                }

                WriteString(w, step.Node);
            }

            WeightReferences.Write(w, references);
            var weightsOffset = Align(stream.Position + 16, WeightAlignment);
            w.Write(weightsOffset);
            w.Write(_weightsLength);
            while (stream.Position < weightsOffset)
            {
                w.Write((byte)0);
            }

            WeightReferences.WriteStored(w, Weights, references);
        }

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

    internal static void WriteString(BinaryWriter w, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        w.Write(checked((ushort)bytes.Length));
        w.Write(bytes);
    }

    private static void WriteTensors(BinaryWriter w, IReadOnlyList<ProgramTensor> tensors, ExpressionTable table)
    {
        w.Write(tensors.Count);
        foreach (var t in tensors)
        {
            WriteString(w, t.Name);
            w.Write((byte)t.ElementType);
            w.Write(checked((byte)t.Dims.Count));
            foreach (var d in t.Dims)
            {
                w.Write(table.IndexOf(d));
            }
        }
    }

    private sealed record ParsedProgram(string[] Symbols, ShapeGuard[] Guards, ProgramTensor[] Inputs, ProgramTensor[] Outputs, ArenaStorage[] Arena, ProgramStep[] Steps,
        WeightReference[] References, long WeightsOffset, long WeightsLength, long StoredLength);

    private static ParsedProgram Parse(ReadOnlySpan<byte> bytes)
    {
        var r = new SpanReader(bytes);
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

        var symbols = new string[r.Int32Count()];
        for (var i = 0; i < symbols.Length; i++)
        {
            symbols[i] = r.String();
        }

        var table = ExpressionTable.Read(ref r);
        var inputs = ReadTensors(ref r, table);
        var outputs = ReadTensors(ref r, table);
        var arena = new ArenaStorage[r.Int32Count()];
        for (var i = 0; i < arena.Length; i++)
        {
            arena[i] = new ArenaStorage(table[r.Int32()], r.Int32(), r.Int32());
        }

        var guards = new ShapeGuard[r.Int32Count()];
        for (var i = 0; i < guards.Length; i++)
        {
            guards[i] = new ShapeGuard(table[r.Int32()], r.Byte());
        }

        var steps = new ProgramStep[r.Int32Count()];
        for (var s = 0; s < steps.Length; s++)
        {
            var kind = (StepKind)r.UInt16();
            var operands = new Operand[r.Byte()];
            for (var i = 0; i < operands.Length; i++)
            {
                var region = (BufferRegion)r.Byte();
                var index = r.UInt16();
                if (region == BufferRegion.Arena && index >= arena.Length)
                {
                    throw new InvalidDataException("A step of the kernel program reads an arena block it does not have. Rebuild the project.");
                }

                operands[i] = new Operand(region, index, table[r.Int32()], table[r.Int32()]);
            }

            var ints = new SizeExpression[r.Byte()];
            for (var i = 0; i < ints.Length; i++)
            {
                ints[i] = table[r.Int32()];
            }

            var floats = new float[r.Byte()];
            for (var i = 0; i < floats.Length; i++)
            {
                floats[i] = r.Single();
            }

            steps[s] = new ProgramStep(kind, operands, ints, floats, r.String());
        }

        var references = new WeightReference[r.Int32Count()];
        for (var i = 0; i < references.Length; i++)
        {
            var (offset, length, initializer, transform) = (r.Int64(), r.Int64(), r.String(), (WeightTransform)r.Byte());
            var args = new int[r.Byte()];
            for (var a = 0; a < args.Length; a++)
            {
                args[a] = r.Int32();
            }

            references[i] = new WeightReference(offset, length, initializer, transform, args);
        }

        var weightsOffset = r.Int64();
        var weightsLength = r.Int64();
        var storedLength = WeightReferences.StoredLength(references, weightsLength);
        if (weightsOffset < 0 || weightsLength < 0 || weightsOffset + storedLength > bytes.Length)
        {
            throw new InvalidDataException("The kernel program is truncated (its weights section ends past the data). Rebuild the project.");
        }

        return new ParsedProgram(symbols, guards, inputs, outputs, arena, steps, references, weightsOffset, weightsLength, storedLength);
    }

    private static ProgramTensor[] ReadTensors(ref SpanReader r, ExpressionTable table)
    {
        var tensors = new ProgramTensor[r.Int32Count()];
        for (var i = 0; i < tensors.Length; i++)
        {
            var name = r.String();
            var type = (KernelElementType)r.Byte();
            var dims = new SizeExpression[r.Byte()];
            for (var d = 0; d < dims.Length; d++)
            {
                dims[d] = table[r.Int32()];
            }

            tensors[i] = new ProgramTensor(name, type, dims);
        }

        return tensors;
    }

    /// <summary>The distinct expressions of a program, stored once each and referred to by index.</summary>
    private sealed class ExpressionTable
    {
        private readonly List<SizeExpression> _expressions = new();
        private readonly Dictionary<SizeExpression, int> _indexes = new();

        public SizeExpression this[int index] => index >= 0 && index < _expressions.Count ? _expressions[index]
            : throw new InvalidDataException("The kernel program refers to a size it does not have. Rebuild the project.");

        public void Add(SizeExpression e)
        {
            if (_indexes.TryAdd(e, _expressions.Count))
            {
                _expressions.Add(e);
            }
        }

        public int IndexOf(SizeExpression e) => _indexes[e];

        public void Write(BinaryWriter w)
        {
            w.Write(_expressions.Count);
            foreach (var e in _expressions)
            {
                w.Write(checked((ushort)e.Code.Count));
                foreach (var op in e.Code)
                {
                    w.Write((byte)op.Kind);
                    w.Write(op.Operand);
                }
            }
        }

        public static ExpressionTable Read(ref SpanReader r)
        {
            var table = new ExpressionTable();
            var count = r.Int32Count();
            for (var i = 0; i < count; i++)
            {
                var code = new SizeOp[r.UInt16()];
                for (var k = 0; k < code.Length; k++)
                {
                    code[k] = new SizeOp((SizeOpKind)r.Byte(), r.Int64());
                }

                var e = new SizeExpression(code);
                table._indexes.TryAdd(e, table._expressions.Count);
                table._expressions.Add(e);
            }

            return table;
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public void Skip(int count) => Bytes(count);

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (count < 0 || _position + count > _data.Length)
            {
                throw new InvalidDataException("The kernel program is truncated. Rebuild the project to regenerate it.");
            }

            var slice = _data.Slice(_position, count);
            _position += count;
            return slice;
        }

        public byte Byte() => Bytes(1)[0];

        public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));

        public float Single() => BinaryPrimitives.ReadSingleLittleEndian(Bytes(4));

        /// <summary>A count, refused when negative or larger than the data could hold.</summary>
        public int Int32Count()
        {
            var count = Int32();
            return count >= 0 && count <= _data.Length ? count : throw new InvalidDataException("The kernel program is truncated. Rebuild the project to regenerate it.");
        }

        public string String() => Encoding.UTF8.GetString(Bytes(UInt16()));
    }
}

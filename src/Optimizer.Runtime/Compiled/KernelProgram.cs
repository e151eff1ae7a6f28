using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// A compiled model: a fixed schedule of <see cref="Kernels"/> calls over an arena, inputs,
/// outputs and constant weights. Stored as a deterministic little-endian blob
/// (<see cref="ToBytes"/>, format in <c>Compiled/README.md</c>); weights are read in place from
/// an embedded resource when loaded from an <see cref="UnmanagedMemoryStream"/>.
/// </summary>
public sealed unsafe class KernelProgram : IDisposable
{
    /// <summary>The format version this runtime writes (2: each step ends with its ONNX node's name); it also reads version 1.</summary>
    public const int FormatVersion = 2;

    /// <summary>Alignment of the weights section and of every tensor in it.</summary>
    public const int WeightAlignment = 64;

    private static ReadOnlySpan<byte> Magic => "OPTK"u8;

    private readonly byte* _weights;
    private readonly long _weightsLength;
    private readonly object? _keepAlive;
    private void* _owned;

    /// <summary>Creates a program around weights held in memory (the compiler's output).</summary>
    public KernelProgram(IReadOnlyList<ProgramTensor> inputs, IReadOnlyList<ProgramTensor> outputs, Lin arenaBytes,
        IReadOnlyList<ProgramStep> steps, byte[] weights)
    {
        Inputs = inputs;
        Outputs = outputs;
        ArenaBytes = arenaBytes;
        Steps = steps;
        _weightsLength = weights.Length;
        _owned = NativeMemory.AlignedAlloc((nuint)Math.Max(1, weights.Length), WeightAlignment);
        weights.CopyTo(new Span<byte>(_owned, weights.Length));
        _weights = (byte*)_owned;
    }

    private KernelProgram(IReadOnlyList<ProgramTensor> inputs, IReadOnlyList<ProgramTensor> outputs, Lin arenaBytes,
        IReadOnlyList<ProgramStep> steps, byte* weights, long weightsLength, void* owned, object? keepAlive)
    {
        Inputs = inputs;
        Outputs = outputs;
        ArenaBytes = arenaBytes;
        Steps = steps;
        _weights = weights;
        _weightsLength = weightsLength;
        _owned = owned;
        _keepAlive = keepAlive;
    }

    /// <summary>The inputs, in graph order.</summary>
    public IReadOnlyList<ProgramTensor> Inputs { get; }

    /// <summary>The outputs, in graph order.</summary>
    public IReadOnlyList<ProgramTensor> Outputs { get; }

    /// <summary>Arena bytes for batch n (a multiple of 64 per batch).</summary>
    public Lin ArenaBytes { get; }

    /// <summary>The schedule.</summary>
    public IReadOnlyList<ProgramStep> Steps { get; }

    /// <summary>Whether the weights are read in place from the stream's memory (no copy).</summary>
    public bool WeightsAreZeroCopy => _owned == null;

    /// <summary>The weight bytes.</summary>
    public ReadOnlySpan<byte> Weights => new(_weights, checked((int)_weightsLength));

    internal byte* WeightsPointer => _weights;

    /// <summary>Serializes the program; the same program gives the same bytes.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            WriteTensors(w, Inputs);
            WriteTensors(w, Outputs);
            WriteLin(w, ArenaBytes);
            w.Write(Steps.Count);
            foreach (var step in Steps)
            {
                w.Write((ushort)step.Kind);
                w.Write(checked((byte)step.Operands.Count));
                foreach (var o in step.Operands)
                {
                    w.Write((byte)o.Region);
                    w.Write(checked((ushort)o.Index));
                    WriteLin(w, o.ByteOffset);
                    WriteLin(w, o.Length);
                }

                w.Write(checked((byte)step.Ints.Count));
                foreach (var i in step.Ints)
                {
                    WriteLin(w, i);
                }

                w.Write(checked((byte)step.Floats.Count));
                foreach (var f in step.Floats)
                {
                    w.Write(f);
                }

                var node = Encoding.UTF8.GetBytes(step.Node);
                w.Write(checked((ushort)node.Length));
                w.Write(node);
            }

            var weightsOffset = Align(stream.Position + 16, WeightAlignment);
            w.Write(weightsOffset);
            w.Write(_weightsLength);
            while (stream.Position < weightsOffset)
            {
                w.Write((byte)0);
            }

            w.Write(Weights);
        }

        return stream.ToArray();
    }

    /// <summary>Reads a program from bytes (the weights are copied into aligned native memory).</summary>
    /// <exception cref="InvalidDataException">Not a kernel program, or another format version.</exception>
    public static KernelProgram Read(ReadOnlySpan<byte> bytes)
    {
        var (inputs, outputs, arena, steps, weightsOffset, weightsLength) = Parse(bytes);
        var owned = NativeMemory.AlignedAlloc((nuint)Math.Max(1, weightsLength), WeightAlignment);
        bytes.Slice(checked((int)weightsOffset), checked((int)weightsLength)).CopyTo(new Span<byte>(owned, checked((int)weightsLength)));
        return new KernelProgram(inputs, outputs, arena, steps, (byte*)owned, weightsLength, owned, null);
    }

    /// <summary>
    /// Reads a program from a stream. An <see cref="UnmanagedMemoryStream"/> (an embedded
    /// resource) is read in place: the weights stay where the stream's memory is, no copy, and
    /// the stream must stay open while the program is used (the program keeps a reference).
    /// </summary>
    public static KernelProgram Load(Stream stream)
    {
        if (stream is UnmanagedMemoryStream { CanRead: true } unmanaged && unmanaged.Position == 0)
        {
            var start = unmanaged.PositionPointer;
            var span = new ReadOnlySpan<byte>(start, checked((int)unmanaged.Length));
            var (inputs, outputs, arena, steps, weightsOffset, weightsLength) = Parse(span);
            var weights = start + weightsOffset;
            if (((nint)weights & 3) == 0)
            {
                return new KernelProgram(inputs, outputs, arena, steps, weights, weightsLength, null, unmanaged);
            }
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Read(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <summary>A readable listing of the schedule, one kernel call per line.</summary>
    public string ToText() =>
        $"inputs: {string.Join(", ", Inputs.Select(Describe))}\noutputs: {string.Join(", ", Outputs.Select(Describe))}\narena: {ArenaBytes} bytes, weights: {_weightsLength} bytes\n"
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

    private static void WriteLin(BinaryWriter w, Lin value)
    {
        w.Write(value.PerBatch);
        w.Write(value.Constant);
    }

    private static void WriteTensors(BinaryWriter w, IReadOnlyList<ProgramTensor> tensors)
    {
        w.Write(tensors.Count);
        foreach (var t in tensors)
        {
            var name = Encoding.UTF8.GetBytes(t.Name);
            w.Write(checked((ushort)name.Length));
            w.Write(name);
            w.Write((byte)t.ElementType);
            w.Write(checked((byte)t.Dims.Count));
            foreach (var d in t.Dims)
            {
                WriteLin(w, d);
            }
        }
    }

    private static (ProgramTensor[], ProgramTensor[], Lin, ProgramStep[], long, long) Parse(ReadOnlySpan<byte> bytes)
    {
        var r = new SpanReader(bytes);
        if (bytes.Length < 8 || !bytes.Slice(0, 4).SequenceEqual(Magic))
        {
            throw new InvalidDataException("The data is not an Optimizer.Build kernel program (no OPTK header). Rebuild the project to regenerate it.");
        }

        r.Skip(4);
        var version = r.Int32();
        if (version is not (1 or FormatVersion))
        {
            throw new InvalidDataException($"The kernel program has format version {version}; this runtime reads versions 1 to {FormatVersion}. Rebuild with a matching Optimizer.Build.");
        }

        var inputs = ReadTensors(ref r);
        var outputs = ReadTensors(ref r);
        var arena = r.Lin();
        var steps = new ProgramStep[r.Int32()];
        for (var s = 0; s < steps.Length; s++)
        {
            var kind = (StepKind)r.UInt16();
            var operands = new Operand[r.Byte()];
            for (var i = 0; i < operands.Length; i++)
            {
                var region = (BufferRegion)r.Byte();
                var index = r.UInt16();
                operands[i] = new Operand(region, index, r.Lin(), r.Lin());
            }

            var ints = new Lin[r.Byte()];
            for (var i = 0; i < ints.Length; i++)
            {
                ints[i] = r.Lin();
            }

            var floats = new float[r.Byte()];
            for (var i = 0; i < floats.Length; i++)
            {
                floats[i] = r.Single();
            }

            var node = version >= 2 ? Encoding.UTF8.GetString(r.Bytes(r.UInt16())) : "";
            steps[s] = new ProgramStep(kind, operands, ints, floats, node);
        }

        var weightsOffset = r.Int64();
        var weightsLength = r.Int64();
        if (weightsOffset < 0 || weightsLength < 0 || weightsOffset + weightsLength > bytes.Length)
        {
            throw new InvalidDataException("The kernel program is truncated (its weights section ends past the data). Rebuild the project.");
        }

        return (inputs, outputs, arena, steps, weightsOffset, weightsLength);
    }

    private static ProgramTensor[] ReadTensors(ref SpanReader r)
    {
        var tensors = new ProgramTensor[r.Int32()];
        for (var i = 0; i < tensors.Length; i++)
        {
            var name = Encoding.UTF8.GetString(r.Bytes(r.UInt16()));
            var type = (KernelElementType)r.Byte();
            var dims = new Lin[r.Byte()];
            for (var d = 0; d < dims.Length; d++)
            {
                dims[d] = r.Lin();
            }

            tensors[i] = new ProgramTensor(name, type, dims);
        }

        return tensors;
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

        public Lin Lin() => new(Int64(), Int64());
    }
}

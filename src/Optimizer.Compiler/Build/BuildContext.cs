using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

/// <summary>
/// One concrete build of a graph for a fixed batch size: values with concrete shapes, the
/// steps, storages and weights. The linker merges two builds into a batch-linear program.
/// </summary>
internal sealed class BuildContext
{
    private readonly Dictionary<string, Val> _values = new();
    private readonly Dictionary<string, Storage> _weightByKey = new();

    public BuildContext(long opset) => Opset = opset;

    public long Opset { get; }

    private ILookup<string, OnnxNode>? _consumers;

    /// <summary>The graph being built (for consumer lookups by fusions).</summary>
    public OnnxGraph? Graph { get; set; }

    /// <summary>
    /// The nodes that read <paramref name="value"/>, in node order: <see cref="OnnxGraph.FindConsumers"/>
    /// indexed once per build (the graph does not change while it is built), not a scan per node.
    /// </summary>
    public IReadOnlyList<OnnxNode> ConsumersOf(string value)
    {
        _consumers ??= (Graph?.Nodes ?? []).SelectMany(n => n.Inputs.Where(i => i.Length > 0).Distinct().Select(i => (Input: i, Node: n)))
            .ToLookup(p => p.Input, p => p.Node, StringComparer.Ordinal);
        return _consumers[value].ToArray();
    }

    /// <summary>Graph output names (a fused activation may not hide one).</summary>
    public HashSet<string> GraphOutputNames { get; } = new();

    /// <summary>QDQ groups that run as one integer kernel, keyed by their Conv/Gemm/MatMul node.</summary>
    public Dictionary<OnnxNode, QdqGroup> Fused { get; } = new();

    /// <summary>MaxPool and reshapes between a DequantizeLinear and a QuantizeLinear with the same parameters: run on the bytes.</summary>
    public Dictionary<OnnxNode, (OnnxNode Dq, OnnxNode Q)> PassThrough { get; } = new();

    /// <summary>DequantizeLinear → monotone float ops → QuantizeLinear chains run as a byte table, keyed by their QuantizeLinear.</summary>
    public Dictionary<OnnxNode, QdqLookup> Lookups { get; } = new();

    /// <summary>DequantizeLinear(s) → Add/Mul/GlobalAveragePool → QuantizeLinear run on the bytes, keyed by their QuantizeLinear.</summary>
    public Dictionary<OnnxNode, QdqElementwise> Elementwise { get; } = new();

    /// <summary>Nodes whose work a fused group does (their DequantizeLinear inputs and QuantizeLinear outputs).</summary>
    public HashSet<OnnxNode> Absorbed { get; } = new();

    public List<RawStep> Steps { get; } = new();

    /// <summary>
    /// Conditions on the symbolic dimensions this build's schedule depends on: the model compared
    /// sizes (<see cref="Decide"/>), so the program holds only where each comparison comes out the same.
    /// </summary>
    public List<(Dim Difference, byte AllowedSigns)> Guards { get; } = new();

    /// <summary>
    /// A comparison the model makes between sizes: its outcome in this build, recorded as a guard
    /// when it depends on the symbolic dimensions (the runtime refuses shapes where it would differ).
    /// </summary>
    public bool Decide(Dim a, Dim b, ShapeRelation relation)
    {
        var holds = ShapeRelations.Holds(relation, a.Value, b.Value);
        var difference = a - b;
        if (difference.IsConstant)
        {
            return holds;
        }

        var signs = ShapeRelations.Signs(relation, holds);
        if (_branchGuards.TryPeek(out var branch))
        {
            // Inside a branch chosen at run time the comparison binds only when that branch runs:
            // a CheckGuard step there, once per condition (a global guard would refuse shapes the other branch takes).
            if (branch.Add((difference.Size.Key, signs)))
            {
                Emit(StepKind.CheckGuard, [], [difference, signs], []);
            }
        }
        else
        {
            Guards.Add((difference, signs));
        }

        return holds;
    }

    private readonly Stack<HashSet<(string Difference, byte Signs)>> _branchGuards = new();

    /// <summary>Steps emitted from here until <see cref="ExitRunTimeBranch"/> run only when an If's branch is taken at run time.</summary>
    public void EnterRunTimeBranch() => _branchGuards.Push(new(_branchGuards.TryPeek(out var outer) ? outer : []));

    public void ExitRunTimeBranch() => _branchGuards.Pop();

    /// <summary>The ONNX node being emitted: <see cref="Emit"/> records it with each step (the schedule's comments).</summary>
    public string CurrentNode { get; set; } = "";

    public List<Storage> Storages { get; } = new();

    public List<byte[]> Weights { get; } = new();

    public Dictionary<string, int> GraphOutputs { get; } = new();

    public Val Get(string name) =>
        _values.TryGetValue(name, out var v) ? v : throw new UnsupportedException($"input '{name}' is not available (unsupported producer)");

    public bool Has(string name) => _values.ContainsKey(name);

    public void Define(Val value) => _values[value.Name] = value;

    public Val? Optional(OnnxNode node, int index) =>
        index < node.Inputs.Count && node.Inputs[index].Length > 0 ? Get(node.Inputs[index]) : null;

    public Storage NewStorage(StorageKind kind, int index, Dim bytes)
    {
        var s = new Storage(Storages.Count, kind, index, bytes);
        Storages.Add(s);
        return s;
    }

    /// <summary>A new runtime float (or other type) value: in the output region when it is a graph output, else in the arena.</summary>
    public Val NewValue(string name, TensorElementType type, Dim[] shape)
    {
        var bytes = shape.Product() * ElementSize(type);
        Storage storage;
        if (GraphOutputs.TryGetValue(name, out var outputIndex))
        {
            GraphOutputs.Remove(name);
            storage = NewStorage(StorageKind.Output, outputIndex, bytes);
        }
        else
        {
            storage = NewStorage(StorageKind.Arena, -1, bytes);
        }

        var v = new Val(name, type, shape) { Storage = storage };
        Define(v);
        return v;
    }

    public Val NewFloat(string name, Dim[] shape) => NewValue(name, TensorElementType.Float, shape);

    /// <summary>Scratch arena bytes live only during the next step.</summary>
    public RawOperand Scratch(Dim floats) => new(NewStorage(StorageKind.Arena, -1, Dim.Max(1, floats) * 4), 0, floats);

    /// <summary>Scratch bytes live only during the next step.</summary>
    public RawOperand ScratchBytes(Dim bytes) => new(NewStorage(StorageKind.Arena, -1, Dim.Max(1, bytes)), 0, bytes);

    /// <summary>An operand over a value: its storage, or a weight holding its constant data.</summary>
    public RawOperand Op(Val v)
    {
        if (v.Const is { } c)
        {
            var storage = Weight("value:" + v.Name, () => ElementTypes.Bytes(c));
            return new RawOperand(storage, 0, v.Count);
        }

        return new RawOperand(v.Storage!, v.Offset, v.Count);
    }

    /// <summary>A float weight operand, created once per <paramref name="key"/>.</summary>
    public RawOperand WeightOp(string key, Func<float[]> data)
    {
        var storage = Weight(key, () => FloatBytes(data()));
        return new RawOperand(storage, 0, storage.Bytes / 4);
    }

    public RawOperand WeightBytesOp(string key, Func<byte[]> data, Dim length)
    {
        var storage = Weight(key, data);
        return new RawOperand(storage, 0, length);
    }

    public static RawOperand Empty => new(null!, 0, 0);

    public void Emit(StepKind kind, RawOperand[] operands, Dim[] ints, float[] floats)
    {
        var index = Steps.Count;
        foreach (var o in operands)
        {
            if (o.Storage is { } s)
            {
                s.FirstStep = Math.Min(s.FirstStep, index);
                s.LastStep = Math.Max(s.LastStep, index);
            }
        }

        Steps.Add(new RawStep(kind, operands, ints, floats, CurrentNode));
    }

    public static int ElementSize(TensorElementType type) => ElementTypes.Size(type);

    public static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    private Storage Weight(string key, Func<byte[]> data)
    {
        if (_weightByKey.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var bytes = data();
        var storage = NewStorage(StorageKind.Weights, Weights.Count, bytes.Length);
        Weights.Add(bytes);
        _weightByKey[key] = storage;
        return storage;
    }
}

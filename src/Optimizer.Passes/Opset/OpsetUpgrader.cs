// Raises a model's default-domain (ai.onnx) opset, rewriting every node whose operator changed
// meaning or form between the model's opset and the target, in the manner of onnx's
// version_converter: one adapter per (operator, version) change, applied version by version so
// that a node rewritten at one step (Upsample → Resize at 10) meets the later steps of its new
// operator (Resize at 11).
//
// The upgrader is all-or-nothing: it works on a copy and either every node is adapted (the model
// then takes the copy's graph, the new opset and the IR version that opset needs) or it refuses
// with the first reason and the model is left exactly as it was. It refuses operators it does not
// know, operator changes it has no adapter for, and any change needed inside a subgraph (subgraphs
// are kept as read by the IR).
//
// The change table (OpsetChanges.cs) lists, per operator, the versions ≤ 13 whose changes make a
// model written for an older opset invalid or different under the newer one. Changes that only add
// types, add optional inputs/attributes whose defaults keep the old behaviour, or allow negative
// axes are compatible and are not listed.

using System.Globalization;
using Optimizer.Onnx;

namespace Optimizer.Passes.Opset;

/// <summary>What raising the default opset did, or why it did not.</summary>
/// <param name="From">The opset the model imported.</param>
/// <param name="To">The opset asked for.</param>
/// <param name="Refusal">Null when the model was raised (or needed nothing), else why it was left as it was.</param>
/// <param name="Changes">Each node rewritten, with what was done.</param>
internal sealed record OpsetUpgradeResult(long From, long To, string? Refusal, IReadOnlyList<PassChange> Changes)
{
    /// <summary>Whether the model now imports <see cref="To"/> (or already did).</summary>
    public bool Succeeded => Refusal is null;

    /// <summary>One line for a pass report: "opset raised 9 → 13 (…): 23 nodes adapted (Clip ×18, …)".</summary>
    public string Describe(string why)
    {
        var byOp = Changes.GroupBy(c => c.Detail[..Math.Max(0, c.Detail.IndexOf(':'))], StringComparer.Ordinal)
            .Select(g => $"{g.Key} ×{g.Count()}");
        return Changes.Count == 0
            ? $"ai.onnx opset raised {From} → {To} ({why}); no node needed adapting"
            : $"ai.onnx opset raised {From} → {To} ({why}); {Changes.Count} nodes adapted ({string.Join(", ", byOp)})";
    }
}

/// <summary>Raises a model's default-domain opset, adapting each node whose operator changed.</summary>
internal static class OpsetUpgrader
{
    /// <summary>The highest opset this version can raise a model to.</summary>
    public const long MaxTarget = 13;

    /// <summary>
    /// Raises <paramref name="model"/>'s ai.onnx opset to <paramref name="target"/>. On success the
    /// model's graph, opset import and IR version are replaced; on refusal the model is unchanged.
    /// </summary>
    public static OpsetUpgradeResult Upgrade(OnnxModel model, long target)
    {
        ArgumentNullException.ThrowIfNull(model);
        var from = model.GetOpsetVersion("");
        if (from is null)
        {
            return new OpsetUpgradeResult(0, target, "the model imports no standard ONNX opset", []);
        }

        if (from >= target)
        {
            return new OpsetUpgradeResult(from.Value, target, null, []);
        }

        if (target > MaxTarget)
        {
            return new OpsetUpgradeResult(from.Value, target, $"this version raises opsets up to {MaxTarget}, not {target}", []);
        }

        if (WhyNot(model, from.Value, target) is { } reason)
        {
            return new OpsetUpgradeResult(from.Value, target, reason, []);
        }

        var copy = model.Clone();
        var context = new UpgradeContext(copy);
        for (var version = from.Value + 1; version <= target; version++)
        {
            foreach (var node in copy.Graph.Nodes.ToList())
            {
                if (!node.IsDefaultDomain)
                {
                    continue;
                }

                if (version == 6 && node.FindAttribute("consumed_inputs") is not null)
                {
                    // consumed_inputs was an in-place hint with no effect on results; opset 6 dropped it.
                    node.Attributes.RemoveAll(a => a.Name == "consumed_inputs");
                    context.Record(node, $"{node.OpType}: consumed_inputs attribute dropped (opset 6)");
                }

                if (OpsetChanges.Find(node.OpType, version) is not { Adapter: { } adapter } change)
                {
                    continue;
                }

                if (adapter(context, node) is { } refusal)
                {
                    return new OpsetUpgradeResult(from.Value, target,
                        $"the model imports ONNX opset {from}; {Describe(node)} ({node.OpType}) changed at opset {version} ({change.What}) and cannot be adapted: {refusal}; re-export the model at opset {target} or later", []);
                }
            }
        }

        context.Finish();
        model.Graph = copy.Graph;
        model.SetOpsetVersion("", target);
        model.IrVersion = Math.Max(model.IrVersion, RequiredIrVersion(target));
        return new OpsetUpgradeResult(from.Value, target, null, context.Changes);
    }

    /// <summary>
    /// Null when every node's operator is known and each of its changes in (<paramref name="from"/>,
    /// <paramref name="to"/>] has an adapter (main graph) or needs none (subgraphs); else why not.
    /// Node-specific refusals (an attribute value an adapter cannot express) show only in <see cref="Upgrade"/>.
    /// </summary>
    public static string? WhyNot(OnnxModel model, long from, long to)
    {
        if (to > MaxTarget)
        {
            return $"the model imports ONNX opset {from}, and this version raises opsets up to {MaxTarget}, not {to}";
        }

        foreach (var (node, inSubgraph) in AllNodes(model.Graph, false).Where(n => n.Node.IsDefaultDomain))
        {
            if (!OpsetChanges.IsKnown(node.OpType))
            {
                return $"the model imports ONNX opset {from}, and this version cannot confirm that {node.OpType} means the same at opset {to} (no adapter); re-export the model at opset {to} or later";
            }

            foreach (var change in OpsetChanges.Between(node.OpType, from, to))
            {
                if (change.Adapter is null)
                {
                    return $"the model imports ONNX opset {from}, and {node.OpType} changed meaning at opset {change.Version} ({change.What}), which this version does not adapt; re-export the model at opset {to} or later";
                }

                if (inSubgraph && (change.Touches is null || change.Touches(node)))
                {
                    return $"the model imports ONNX opset {from}, and {node.OpType} inside a subgraph changed at opset {change.Version} ({change.What}); subgraphs are not rewritten, re-export the model at opset {to} or later";
                }
            }

            if (inSubgraph && from < 6 && to >= 6 && node.FindAttribute("consumed_inputs") is not null)
            {
                return $"the model imports ONNX opset {from}, and {node.OpType} inside a subgraph uses consumed_inputs (removed at opset 6); subgraphs are not rewritten";
            }
        }

        return null;
    }

    /// <summary>The lowest IR version whose checker accepts <paramref name="opset"/> (onnx's version table).</summary>
    public static long RequiredIrVersion(long opset) => opset switch
    {
        >= 13 => 7,
        12 => 7,
        11 => 6,
        10 => 5,
        9 => 4,
        _ => 3,
    };

    internal static string Describe(OnnxNode node) => node.Name.Length > 0 ? node.Name : node.Outputs.FirstOrDefault() ?? node.OpType;

    private static IEnumerable<(OnnxNode Node, bool InSubgraph)> AllNodes(OnnxGraph graph, bool inSubgraph) =>
        graph.Nodes.Select(n => (n, inSubgraph)).Concat(graph.Nodes.SelectMany(n => n.Attributes).Where(a => a.HasSubgraphs)
            .SelectMany(a => a.ReadSubgraphs()).SelectMany(g => AllNodes(g, true)));
}

/// <summary>What an adapter needs: the graph being rewritten, known value types, and helpers to add constants.</summary>
internal sealed class UpgradeContext
{
    private readonly OnnxModel _model;
    private readonly IReadOnlyDictionary<string, ValueTypeInfo> _types;
    private readonly List<PassChange> _changes = [];

    public UpgradeContext(OnnxModel model)
    {
        _model = model;
        try
        {
            _types = ShapeInference.Infer(model);
        }
        catch (OnnxFormatException)
        {
            _types = new Dictionary<string, ValueTypeInfo>();
        }
    }

    public OnnxGraph Graph => _model.Graph;

    /// <summary>Resize nodes that were Upsample (whose scales are ≥ 1 by definition).</summary>
    public HashSet<OnnxNode> FromUpsample { get; } = new(ReferenceEqualityComparer.Instance);

    public IReadOnlyList<PassChange> Changes => _changes;

    public void Record(OnnxNode node, string detail) => _changes.Add(new PassChange(OpsetUpgrader.Describe(node), detail));

    /// <summary>Adds an int64 initializer and returns its name.</summary>
    public string AddInt64s(OnnxNode owner, string what, IReadOnlyList<long> values, bool scalar = false)
    {
        var name = Graph.CreateUniqueName($"{OpsetUpgrader.Describe(owner)}_{what}");
        Graph.Initializers.Add(OnnxTensor.FromInt64s(name, scalar ? [] : [values.Count], values.ToArray()));
        return name;
    }

    /// <summary>Adds a float initializer (1-D, or a scalar) and returns its name.</summary>
    public string AddFloats(OnnxNode owner, string what, IReadOnlyList<float> values, bool scalar = false)
    {
        var name = Graph.CreateUniqueName($"{OpsetUpgrader.Describe(owner)}_{what}");
        Graph.Initializers.Add(OnnxTensor.FromFloats(name, scalar ? [] : [values.Count], values.ToArray()));
        return name;
    }

    /// <summary>Adds a scalar initializer of <paramref name="type"/>, or returns null when the type is not supported.</summary>
    public string? AddScalar(OnnxNode owner, string what, double value, TensorElementType type)
    {
        var name = Graph.CreateUniqueName($"{OpsetUpgrader.Describe(owner)}_{what}");
        OnnxTensor? tensor = type switch
        {
            TensorElementType.Float => OnnxTensor.FromFloats(name, [], [(float)value]),
            TensorElementType.Float16 => OnnxTensor.FromFloat16s(name, [], [(Half)value]),
            TensorElementType.Int8 => OnnxTensor.FromInt8s(name, [], [(sbyte)Math.Clamp(value, sbyte.MinValue, sbyte.MaxValue)]),
            TensorElementType.UInt8 => OnnxTensor.FromUInt8s(name, [], [(byte)Math.Clamp(value, byte.MinValue, byte.MaxValue)]),
            TensorElementType.Int32 => OnnxTensor.FromInt32s(name, [], [(int)Math.Clamp(value, int.MinValue, int.MaxValue)]),
            TensorElementType.Int64 => OnnxTensor.FromInt64s(name, [], [(long)Math.Clamp(value, long.MinValue, long.MaxValue)]),
            TensorElementType.Double => DoubleScalar(name, value),
            _ => null,
        };
        if (tensor is null)
        {
            return null;
        }

        Graph.Initializers.Add(tensor);
        return name;
    }

    /// <summary>Inserts <paramref name="added"/> just before <paramref name="before"/> in the node list.</summary>
    public void InsertBefore(OnnxNode before, params OnnxNode[] added) => Graph.Nodes.InsertRange(Graph.Nodes.IndexOf(before), added);

    /// <summary>Inserts <paramref name="added"/> just after <paramref name="after"/> in the node list.</summary>
    public void InsertAfter(OnnxNode after, params OnnxNode[] added) => Graph.Nodes.InsertRange(Graph.Nodes.IndexOf(after) + 1, added);

    public string NewName(string prefix) => Graph.CreateUniqueName(prefix);

    /// <summary>The rank of <paramref name="value"/> when known.</summary>
    public int? RankOf(string value)
    {
        if (Graph.FindConstant(value) is { } constant)
        {
            return constant.Dims.Count;
        }

        if (_types.TryGetValue(value, out var type) && type.Shape is { } shape)
        {
            return shape.Count;
        }

        return Graph.FindValueInfo(value)?.Type?.Shape?.Count;
    }

    /// <summary>The element type of <paramref name="value"/>, following type-preserving producers when not annotated.</summary>
    public TensorElementType ElementTypeOf(string value)
    {
        for (var hops = 0; hops < 10_000 && value.Length > 0; hops++)
        {
            if (Graph.FindInitializer(value) is { } initializer)
            {
                return initializer.ElementType;
            }

            if (_types.TryGetValue(value, out var type) && type.ElementType != TensorElementType.Undefined)
            {
                return type.ElementType;
            }

            if (Graph.FindValueInfo(value)?.Type is { ElementType: not TensorElementType.Undefined } annotated)
            {
                return annotated.ElementType;
            }

            var producer = Graph.FindProducer(value);
            if (producer is null)
            {
                return TensorElementType.Undefined;
            }

            if (producer.OpType == "Constant" && producer.FindAttribute("value")?.Tensor is { } constant)
            {
                return constant.ElementType;
            }

            if (producer.OpType == "Cast" && producer.FindAttribute("to") is { Kind: AttributeKind.Int } to)
            {
                return (TensorElementType)to.Int;
            }

            if (!TypePreserving.Contains(producer.OpType) || producer.Inputs.Count == 0)
            {
                return TensorElementType.Undefined;
            }

            value = producer.Inputs[0];
        }

        return TensorElementType.Undefined;
    }

    /// <summary>Keeps the node list topological after insertions.</summary>
    public void Finish() => Graph.SortTopologically();

    private static OnnxTensor DoubleScalar(string name, double value)
    {
        var bytes = BitConverter.GetBytes(value);
        // No FromDoubles factory: build the float64 tensor through a float32 one's proto is not possible,
        // so keep it simple with Parse of a minimal TensorProto.
        var proto = new List<byte>();
        proto.AddRange([0x10, (byte)TensorElementType.Double]); // data_type = 11
        proto.Add(0x4A); // raw_data (field 9, length-delimited)
        proto.Add((byte)bytes.Length);
        proto.AddRange(bytes);
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        proto.Add(0x42); // name (field 8)
        AddVarint(proto, nameBytes.Length);
        proto.AddRange(nameBytes);
        return OnnxTensor.Parse(proto.ToArray());
    }

    private static void AddVarint(List<byte> bytes, int value)
    {
        var v = (uint)value;
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }

        bytes.Add((byte)v);
    }

    private static readonly HashSet<string> TypePreserving = new(StringComparer.Ordinal)
    {
        "Abs", "Add", "Sub", "Mul", "Div", "Pow", "Neg", "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Sigmoid", "HardSigmoid", "Tanh",
        "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Clip", "Softmax", "LogSoftmax", "Hardmax", "Softplus", "Softsign",
        "Conv", "ConvTranspose", "MatMul", "Gemm", "BatchNormalization", "InstanceNormalization", "LRN", "Dropout", "Identity",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze",
        "Concat", "Split", "Slice", "Pad", "Tile", "Expand", "Upsample", "Resize", "Gather", "Max", "Min", "Sum", "Mean",
        "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "DepthToSpace", "SpaceToDepth", "Erf", "Sin", "Cos",
    };
}

/// <summary>Formats numbers invariantly for change details.</summary>
internal static class Invariant
{
    public static string List(IEnumerable<long> values) => "[" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    public static string List(IEnumerable<float> values) => "[" + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
}

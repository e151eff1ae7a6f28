using Optimizer.Onnx;
using Optimizer.Passes.Cleanup.Folding;

namespace Optimizer.Passes.Cleanup;

/// <summary>
/// Replaces nodes whose inputs are all constant by initializers holding their result, in
/// dependency order so that whole constant subgraphs collapse in one sweep. Shape folds when its
/// input's shape is static, whether or not the input is constant.
/// </summary>
internal static class ConstantFolding
{
    public const string Kind = "folded";

    public static int Run(OnnxModel model, CleanupLog log)
    {
        var graph = model.Graph;
        var opset = model.GetOpsetVersion("") ?? 1;
        var usage = new GraphUsage(graph);
        var constantNames = Initializers.ConstantNames(model);
        var tensors = graph.Initializers.Where(t => constantNames.Contains(t.Name)).ToDictionary(t => t.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, ConstantValue?>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, ValueTypeInfo>? types = null;
        var folded = new HashSet<OnnxNode>();

        ConstantValue? ValueOf(string name)
        {
            if (!values.TryGetValue(name, out var value))
            {
                values[name] = value = tensors.TryGetValue(name, out var t) ? TryRead(t) : null;
            }

            return value;
        }

        foreach (var node in graph.GetTopologicalOrder())
        {
            var inputs = node.Inputs.Where(i => i.Length > 0).ToArray();
            if (!node.IsDefaultDomain || inputs.Length == 0 || node.Outputs.Count != 1)
            {
                continue;
            }

            var isShape = node.OpType == "Shape";
            if (!isShape && !inputs.All(tensors.ContainsKey))
            {
                continue;
            }

            if (usage.GraphOutputs.Contains(node.Outputs[0]))
            {
                if (!isShape) log.Skip(node, $"{node.OpType} has constant inputs but its output is a graph output; kept so the output stays computed");
                continue;
            }

            string? reason;
            ConstantValue? result;
            if (isShape)
            {
                types ??= ShapeInference.Infer(model);
                (result, reason) = FoldShape(node, types);
            }
            else
            {
                (result, reason) = Evaluate(node, opset, ValueOf);
            }

            if (result is null)
            {
                log.Skip(node, reason!);
                continue;
            }

            var tensor = result.ToTensor(node.Outputs[0]);
            Initializers.Add(model, tensor);
            tensors[tensor.Name] = tensor;
            values[tensor.Name] = result;
            folded.Add(node);
            log.Change(Kind, node, $"{node.OpType} folded into initializer {tensor.Name}: {result.ElementType}[{string.Join(",", result.Dims)}]");
        }

        graph.Nodes.RemoveAll(folded.Contains);
        return folded.Count;
    }

    private static (ConstantValue?, string?) Evaluate(OnnxNode node, long opset, Func<string, ConstantValue?> valueOf)
    {
        if (FoldingRules.Find(node.OpType) is not { } rule)
        {
            return (null, $"{node.OpType} has constant inputs but no folding rule in this version; left for ONNX Runtime to fold at load");
        }

        var inputs = node.Inputs.Select(i => i.Length > 0 ? valueOf(i) : null).ToArray();
        if (node.Inputs.Where((name, i) => name.Length > 0 && inputs[i] is null).FirstOrDefault() is { } unreadable)
        {
            return (null, $"constant input {unreadable} has an element type folding does not handle");
        }

        try
        {
            var result = rule(new FoldContext(node, inputs, opset));
            var limit = FoldingRules.IsGenerator(node.OpType) ? CleanupLimits.MaxGeneratedElements : CleanupLimits.MaxFoldedElements;
            if (result.Count > limit)
            {
                return (null, FoldingRules.IsGenerator(node.OpType)
                    ? $"{node.OpType} would generate {result.Count:N0} elements (folding limit for generators {limit:N0}); kept as the compact node"
                    : $"the result would hold {result.Count:N0} elements (limit {limit:N0})");
            }

            return (result, null);
        }
        // Arithmetic and argument errors come from hostile constants (long.MinValue / -1, a count
        // no array can hold): the node stays as it is, for ONNX Runtime to judge.
        catch (Exception e) when (e is FoldingNotPossible or OnnxFormatException or IndexOutOfRangeException or ArithmeticException or ArgumentException)
        {
            return (null, $"{node.OpType} not folded: {e.Message}");
        }
    }

    private static (ConstantValue?, string?) FoldShape(OnnxNode node, IReadOnlyDictionary<string, ValueTypeInfo> types)
    {
        var shape = types.GetValueOrDefault(node.Inputs[0])?.Shape;
        if (shape is null || shape.Any(d => d.Size is null))
        {
            return (null, $"Shape of {node.Inputs[0]} not folded: its shape [{(shape is null ? "?" : string.Join(",", shape))}] is not static");
        }

        var rank = shape.Count;
        long Clamp(long axis) => Math.Clamp(axis < 0 ? axis + rank : axis, 0, rank);
        var start = Clamp(node.FindAttribute("start")?.Int ?? 0);
        var end = Clamp(node.FindAttribute("end")?.Int ?? rank);
        var dims = shape.Skip((int)start).Take((int)Math.Max(0, end - start)).Select(d => d.Size!.Value).ToArray();
        return (ConstantValue.Integer(TensorElementType.Int64, [dims.Length], dims), null);
    }

    private static ConstantValue? TryRead(OnnxTensor tensor)
    {
        try
        {
            return tensor.ElementCount <= CleanupLimits.MaxFoldedElements ? ConstantValue.TryRead(tensor) : null;
        }
        catch (OnnxFormatException)
        {
            return null;
        }
    }
}

using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup;

/// <summary>
/// Removes nodes that pass their input through unchanged at inference: Identity, Dropout (when
/// its mask is unused and it is not forced into training mode), Cast to the type the value
/// already has, and Reshape to the static shape it already has.
/// </summary>
internal static class NoOpElimination
{
    public const string Kind = "no-op removed";

    public static int Run(OnnxModel model, CleanupLog log)
    {
        var graph = model.Graph;
        var types = ShapeInference.Infer(model);
        var removed = 0;
        var usage = new GraphUsage(graph);
        var rewiring = new ValueRewiring(graph, usage);
        foreach (var node in graph.Nodes.Where(n => n.IsDefaultDomain && n.OpType is "Identity" or "Dropout" or "Cast" or "Reshape").ToArray())
        {
            if (node.Inputs.Count == 0 || node.Inputs[0].Length == 0 || node.Outputs.Count == 0) continue;
            var whyNot = WhyNotNoOp(model, node, types, usage);
            if (whyNot is not null)
            {
                if (whyNot.Length > 0) log.Skip(node, whyNot);
                continue;
            }

            var refused = rewiring.TryBypass(node, node.Inputs[0], node.Outputs[0]);
            if (refused is not null)
            {
                log.Skip(node, $"{node.OpType} is a no-op but was kept: {refused}");
                continue;
            }

            removed++;
            log.Change(Kind, node, $"{node.OpType} removed ({Describe(node)})");
        }

        rewiring.Commit();
        return removed;
    }

    /// <summary>Null when the node is a no-op; empty when it is simply not one (nothing to report); else the reason it cannot go.</summary>
    private static string? WhyNotNoOp(OnnxModel model, OnnxNode node, IReadOnlyDictionary<string, ValueTypeInfo> types, GraphUsage usage)
    {
        var inputType = types.GetValueOrDefault(node.Inputs[0]);
        switch (node.OpType)
        {
            case "Identity":
                return null;
            case "Dropout":
                if (node.Outputs.Skip(1).Any(o => o.Length > 0 && usage.IsUsed(o))) return "Dropout's mask output is used";
                if (node.Inputs.Count > 2 && node.Inputs[2].Length > 0 && !IsConstantFalse(model.Graph, node.Inputs[2]))
                {
                    return "Dropout's training_mode input is not a constant false";
                }

                return null;
            case "Cast":
                var to = (TensorElementType)(node.FindAttribute("to")?.Int ?? 0);
                return inputType is { Kind: ValueKind.Tensor } t && t.ElementType == to ? null : "";
            default:
                var before = inputType?.Shape;
                var after = types.GetValueOrDefault(node.Outputs[0])?.Shape;
                return IsStatic(before) && IsStatic(after) && before!.SequenceEqual(after!) ? null : "";
        }
    }

    private static bool IsStatic(IReadOnlyList<Dim>? shape) => shape is not null && shape.All(d => d.Size is not null);

    private static bool IsConstantFalse(OnnxGraph graph, string name) =>
        graph.FindConstant(name) is { ElementType: TensorElementType.Bool } t && t.ToRawBytes() is [0];

    private static string Describe(OnnxNode node) => node.OpType switch
    {
        "Dropout" => "inference: passes its input through",
        "Cast" => "casts to the type the value already has",
        "Reshape" => "reshapes to the shape the value already has",
        _ => "passes its input through",
    };
}

// Where a Reshape's target shape comes from, element by element, so the head count in it can be
// rewritten: a constant shape tensor ([0, 0, 12, 32], [-1, 128, 12, 32]), or a Concat of pieces where
// the head count and size are constants and the batch and sequence lengths are read at run time
// (Shape → Gather → Unsqueeze, as PyTorch exports a view(b, s, H, d)). Anything else (a head count
// computed at run time, e.g. by a Div of the width) cannot be rewritten and is refused with the reason. The same
// reading tells an attention mask's Expand target ([batch, 1, s, s]) keeps one head.

using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning.Encoders;

/// <summary>Element <see cref="Element"/> of the int64 constant <see cref="Reader"/> reads at input <see cref="InputIndex"/>.</summary>
internal sealed record ShapeConstant(OnnxNode Reader, int InputIndex, int Element);

/// <summary>One element of a target shape: its value when constant (and where it is written), or null when computed at run time.</summary>
internal sealed record ShapeEntry(long? Value, ShapeConstant? Source);

/// <summary>Reads a Reshape's target shape into entries.</summary>
internal static class ShapeEntries
{
    /// <summary>The entries of <paramref name="reshape"/>'s target shape, or the reason they cannot be told.</summary>
    public static (IReadOnlyList<ShapeEntry>? Entries, string? Reason) Of(OnnxGraph graph, OnnxNode reshape) => Of(graph, reshape, 1);

    /// <summary>The entries of the shape <paramref name="reader"/> (a Reshape or an Expand) reads at input <paramref name="input"/>.</summary>
    public static (IReadOnlyList<ShapeEntry>? Entries, string? Reason) Of(OnnxGraph graph, OnnxNode reader, int input)
    {
        var shape = reader.Inputs[input];
        if (Constant(graph, shape) is { } values)
        {
            return (values.Select((v, i) => new ShapeEntry(v, new ShapeConstant(reader, input, i))).ToList(), null);
        }

        if (graph.FindProducer(shape) is not { OpType: "Concat" } concat)
        {
            return (null, $"its target shape '{shape}' is computed at run time by {graph.FindProducer(shape)?.OpType ?? "a graph input"}, not a constant or a Concat of constants and run-time lengths");
        }

        var entries = new List<ShapeEntry>();
        for (var k = 0; k < concat.Inputs.Count; k++)
        {
            if (Constant(graph, concat.Inputs[k]) is { } piece)
            {
                entries.AddRange(piece.Select((v, i) => new ShapeEntry(v, new ShapeConstant(concat, k, i))));
            }
            else if (graph.FindProducer(concat.Inputs[k]) is { OpType: "Unsqueeze" } unsqueeze && IsScalarLength(graph, unsqueeze.Inputs[0]))
            {
                entries.Add(new ShapeEntry(null, null));
            }
            else
            {
                return (null, $"piece {k} of its target shape ('{concat.Inputs[k]}') is computed at run time and is not one length read by Shape → Gather");
            }
        }

        return (entries, null);
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="at"/>, copying the constant first when another node reads it too.</summary>
    public static void Write(OnnxGraph graph, ShapeConstant at, long value)
    {
        var tensor = graph.FindInitializer(at.Reader.Inputs[at.InputIndex])!;
        var values = tensor.ToInt64Array();
        values[at.Element] = value;
        WeightStore.ReplaceInput(graph, at.Reader, at.InputIndex, name => OnnxTensor.FromInt64s(name, tensor.Dims, values));
    }

    private static long[]? Constant(OnnxGraph graph, string value) =>
        graph.FindInitializer(value) is { ElementType: TensorElementType.Int64, Dims.Count: 1 } tensor && !graph.DeclaredInputs.Any(i => i.Name == value)
            ? tensor.ToInt64Array() : null;

    // A scalar Gather of a Shape: one run-time length (batch or sequence).
    private static bool IsScalarLength(OnnxGraph graph, string value) =>
        graph.FindProducer(value) is { OpType: "Gather" } gather && graph.FindProducer(gather.Inputs[0]) is { OpType: "Shape" }
        && graph.FindInitializer(gather.Inputs[1]) is { ElementCount: 1 };
}

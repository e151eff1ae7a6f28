using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Passes.Calibration;

/// <summary>
/// Whether a feed fits a model's inputs before it is run: a tensor for every input, of the input's
/// element type and rank, with its fixed dimensions (symbolic ones take any size). Checked here so
/// a mismatch names the input and both shapes instead of surfacing as an ONNX Runtime error.
/// </summary>
internal static class FeedFit
{
    /// <summary>Why <paramref name="feed"/> cannot be fed to <paramref name="graph"/>, or null when it fits.</summary>
    public static string? Problem(OnnxGraph graph, Feed feed)
    {
        foreach (var input in graph.Inputs)
        {
            if (!feed.Inputs.TryGetValue(input.Name, out var tensor))
            {
                return $"no tensor for input '{input.Name}'";
            }

            if (input.Type is not { Kind: ValueKind.Tensor } type)
            {
                continue;
            }

            if (type.ElementType != TensorElementType.Undefined && type.ElementType != tensor.ElementType)
            {
                return $"input '{input.Name}' is {tensor.ElementType} but the model takes {type.ElementType}";
            }

            if (type.Shape is { } dims && (dims.Count != tensor.Shape.Length || dims.Where((d, i) => d.Size is { } size && size != tensor.Shape[i]).Any()))
            {
                return $"input '{input.Name}' is {tensor.ShapeText} but the model takes [{string.Join(",", dims)}]";
            }
        }

        var extra = feed.Inputs.Keys.FirstOrDefault(name => graph.DeclaredInputs.All(i => i.Name != name));
        return extra is null ? null : $"'{extra}' is not an input of the model";
    }
}

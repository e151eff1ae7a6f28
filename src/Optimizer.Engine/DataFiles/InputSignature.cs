using Optimizer.Engine.Manifests;
using Optimizer.Onnx;

namespace Optimizer.Engine.DataFiles;

/// <summary>How data is told about a model input: its element type and shape as text, and which inputs there are.</summary>
internal static class InputSignature
{
    /// <summary>The element type as NumPy and the manifest name it (<c>int64</c>, <c>float32</c>, <c>bool</c>).</summary>
    public static string TypeName(TensorElementType type) => ElementTypeNames.Of(type) ?? type.ToString().ToLowerInvariant();

    /// <summary>The NumPy type to convert to, e.g. <c>numpy.int64</c>.</summary>
    public static string NumpyType(TensorElementType type) => "numpy." + (type == TensorElementType.Bool ? "bool_" : TypeName(type));

    /// <summary>The declared shape, e.g. <c>[batch_size,sequence_length]</c>; <c>[?]</c>-style for unknown dimensions, "of unknown rank" when there is no shape.</summary>
    public static string ShapeText(ValueInfo input) =>
        input.Type?.Shape is { } shape ? "[" + string.Join(",", shape) + "]" : "of unknown rank";

    /// <summary>E.g. <c>'input_ids' (int64 [batch_size,sequence_length])</c>.</summary>
    public static string Describe(ValueInfo input) => input.Type is { Kind: ValueKind.Tensor } type
        ? $"'{input.Name}' ({TypeName(type.ElementType)} {ShapeText(input)})"
        : $"'{input.Name}' ({input.Type?.ToString() ?? "untyped"})";

    /// <summary>Every input described, joined for messages.</summary>
    public static string DescribeAll(OnnxModel model) => string.Join(", ", model.Graph.Inputs.Select(Describe));

    /// <summary>The <c>numpy.savez</c> call that saves data for every input of <paramref name="model"/>, e.g. <c>numpy.savez('calib.npz', input_ids=..., attention_mask=...)</c>.</summary>
    public static string SavezExample(OnnxModel model, string file = "calib.npz") =>
        $"numpy.savez('{file}', " + string.Join(", ", model.Graph.Inputs.Select(i => SavezArgument(i.Name))) + ")";

    // numpy.savez takes keywords; a name that is no Python identifier (onnx::Flatten_0) goes in a dict.
    private static string SavezArgument(string name) =>
        name.Length > 0 && !char.IsDigit(name[0]) && name.All(c => char.IsLetterOrDigit(c) || c == '_') ? name + "=..." : $"**{{'{name}': ...}}";
}

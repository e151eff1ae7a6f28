using Optimizer.Onnx;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>
/// Binds a model's symbolic input dimensions to sizes (all but <c>keep</c>), so the compiler's op
/// coverage can be checked on models with more symbolic dims than it binds at run time.
/// </summary>
internal static class FixedShapes
{
    public static OnnxModel Bind(OnnxModel model, IReadOnlyDictionary<string, long> sizes)
    {
        foreach (var input in model.Graph.Inputs)
        {
            if (input.Type is { Kind: ValueKind.Tensor, Shape: { } shape } type)
            {
                input.Type = ValueTypeInfo.Tensor(type.ElementType,
                    shape.Select(d => d.Symbol is { } s && sizes.TryGetValue(s, out var size) ? Dim.Fixed(size) : d).ToArray());
            }
        }

        return model;
    }

    /// <summary>
    /// Names a model's unknown input dimensions (neither a size nor a symbol): <paramref name="names"/>
    /// gives, per input, one entry per axis (null keeps the axis as declared). Exporters that leave the
    /// dims blank (silero VAD v5/v6) still mean equal sizes where the model combines them.
    /// </summary>
    public static OnnxModel Name(OnnxModel model, IReadOnlyDictionary<string, string?[]> names)
    {
        foreach (var input in model.Graph.Inputs)
        {
            if (input.Type is { Kind: ValueKind.Tensor, Shape: { } shape } type && names.TryGetValue(input.Name, out var axes))
            {
                input.Type = ValueTypeInfo.Tensor(type.ElementType,
                    shape.Select((d, i) => d.Size is null && d.Symbol is null && axes[i] is { } n ? Dim.Named(n) : d).ToArray());
            }
        }

        return model;
    }
}

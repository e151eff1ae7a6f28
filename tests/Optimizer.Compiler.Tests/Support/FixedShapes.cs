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
}

using Optimizer.Onnx;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// Checks the shapes of one sample's tensors against the model inputs' declared dimensions: a fixed
/// dimension must match exactly; a symbolic one takes the data's size, the same size wherever the
/// same name appears (input_ids and attention_mask share <c>sequence_length</c>, silero's input and
/// state share <c>batch</c>). Unknown dimensions take any size.
/// </summary>
internal sealed class DimBindings
{
    private readonly Dictionary<string, (long Size, string Where)> _bound = new(StringComparer.Ordinal);

    /// <summary>Null when <paramref name="shape"/> fits <paramref name="input"/>, else what does not fit, starting with <paramref name="what"/>.</summary>
    /// <param name="what">The data as messages name it, e.g. <c>array 'input_ids' (per sample [1,7])</c>.</param>
    public string? Problem(ValueInfo input, IReadOnlyList<long> shape, string what)
    {
        if (input.Type?.Shape is not { } dims)
        {
            return null;
        }

        var text = "[" + string.Join(",", shape) + "]";
        if (dims.Count != shape.Count)
        {
            return $"{what} has shape {text} (rank {shape.Count}) but input {InputSignature.Describe(input)} has rank {dims.Count}";
        }

        for (var axis = 0; axis < dims.Count; axis++)
        {
            if (dims[axis].Size is { } size and > 0)
            {
                if (size != shape[axis])
                {
                    return $"{what} has shape {text} but input {InputSignature.Describe(input)} fixes axis {axis} to {size}";
                }
            }
            else if (dims[axis].Symbol is { } symbol)
            {
                if (_bound.TryGetValue(symbol, out var bound) && bound.Size != shape[axis])
                {
                    return $"{what} has shape {text}, giving '{symbol}' the size {shape[axis]}, but {bound.Where} gave it {bound.Size} (equal names are equal sizes in one run)";
                }

                _bound.TryAdd(symbol, (shape[axis], what));
            }
        }

        return null;
    }
}
